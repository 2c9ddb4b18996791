/// The threads the engine computes with: oneDNN's (`STEXPLAIN_THREADS`, default all cores).
public enum ComputeThreads {
    public static var count: Int { DNNL.threadCount }
}
