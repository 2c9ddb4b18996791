/// The threads the engine computes with: oneDNN's, and the chunks of the element-wise loops
/// written in Swift (`STEXPLAIN_THREADS`, default all cores).
public enum ComputeThreads {
    public static var count: Int { DNNL.threadCount }
}
