import ArgumentParser
import Foundation
import STCore

/// The runs of `stexplain demo`, each an ordinary `explain` or `evaluate` command run in this
/// process, with the line it prints. They run inside the demo's output folder and write there
/// under relative paths.
struct DemoRuns {
    let models: String

    /// One report of the index: where it is and what it shows.
    struct Report {
        let directory: String
        let title: String
        let shows: String
    }

    /// The samples, then every explanation run, timed.
    func explanations(video: String?) throws -> [(title: String, reports: [Report])] {
        try run(DataCommand.self, ["--data", "moving-shapes", "--split", "test", "--count", "8", "--seed", "1", "--out", "clips"])
        try run(DataCommand.self, ["--data", "skeleton-actions", "--split", "test", "--count", "18", "--seed", "1", "--out", "skeletons"])
        try run(DataCommand.self, ["--data", "visual-odometry", "--split", "test", "--count", "4", "--seed", "1", "--out", "odometry"])
        let labels = ["--target", "labels:clips/labels.npy"]
        print("explanations (folder under the output, seconds):")
        var sections: [(title: String, reports: [Report])] = [
            ("Video: 3D CNN on MovingShapes clips (ground truth: the deciding object's voxels)", [
                try explain("r3d_small/cam-family", "r3d_small", "clips",
                            "gradcam,gradcam++,xgradcam,layercam,hirescam", ["--layer", "layer2"] + labels,
                            "Grad-CAM, Grad-CAM++, XGrad-CAM, LayerCAM and HiResCAM at layer2 (one forward and one reverse pass for all five)"),
                try explain("r3d_small/gradients", "r3d_small", "clips",
                            "saliency,guided-backprop,deconvnet,guided-gradcam,integrated-gradients", ["--layer", "layer2", "--steps", "16"] + labels,
                            "saliency, guided backprop, deconvnet, guided Grad-CAM and integrated gradients"),
                try explain("r3d_small/occlusion", "r3d_small", "clips", "occlusion", ["--window", "4,8,8"] + labels,
                            "occlusion with a 4 × 8 × 8 cube"),
                try explain("r3d_small/lrp", "r3d_small", "clips", "lrp,lrp-st", labels,
                            "LRP (ε-z⁺) and seed 002's split into spatial and temporal relevance"),
                try explain("c3d_small/gradcam", "c3d_small", "clips", "gradcam,lrp", ["--layer", "conv3b.relu"] + labels,
                            "C3D: Grad-CAM at conv3b and LRP"),
                try explain("cam3d_small/cam", "cam3d_small", "clips", "cam,gradcam", labels,
                            "a CAM network (convolutions, global pooling, one linear layer) whose map keeps all 16 frames: "
                            + "CAM and Grad-CAM, which point at the deciding object in 89 % of test clips"),
            ]),
            ("Video transformer: a ViViT-style encoder on MovingShapes (4 × 4 × 4 tubelet tokens and a class token)", [
                try explain("video_transformer_small/attention", "video_transformer_small", "clips",
                            "attention-rollout,transformer-attribution,attnlrp", labels,
                            "attention rollout, Chefer et al.'s transformer attribution and AttnLRP: which tokens the class "
                            + "token attends to, and which voxels carry the class score's relevance"),
                try explain("video_transformer_small/token-cam", "video_transformer_small", "clips", "gradcam,layercam", labels,
                            "Grad-CAM and LayerCAM on the token grid at the last block's input (blocks.2)"),
            ]),
            ("CNN-LSTM with temporal attention (seed 001)", [
                try explain("cnn_lstm_attention_small/gradcam", "cnn_lstm_attention_small", "clips", "gradcam,saliency", labels,
                            "per-frame Grad-CAM through the LSTM, with the attention weights"),
                try explain("cnn_lstm_attention_small/attention-frame-0", "cnn_lstm_attention_small", "clips", "gradcam",
                            ["--target", "attention:0"], "what drives the attention weight of frame 0"),
            ]),
            ("Skeletons: ST-GCN on SkeletonActions (seed 000)", [
                try explain("stgcn_small/gradcam", "stgcn_small", "skeletons", "gradcam,saliency,lrp", [],
                            "joint × time heatmaps, animated skeletons and seed 000's pose figure"),
                try explain("stgcn_small/occlusion-joints", "stgcn_small", "skeletons", "occlusion", [],
                            "occluding the body parts one at a time"),
            ]),
            ("Regression: PoseNet visual odometry (seed 001)", [
                try explain("posenet_small/translation", "posenet_small", "odometry", "gradcam", ["--target", "translation"],
                            "Grad-CAM of the translation outputs"),
                try explain("posenet_small/rotation", "posenet_small", "odometry", "gradcam", ["--target", "rotation"],
                            "Grad-CAM of the rotation outputs"),
            ]),
        ]
        if let video {
            sections.append(("Your video", [
                try explain("video", "r3d_small", nil, "gradcam,lrp-st", ["--input", video, "--frames", "16"],
                            "the MovingShapes model on \((video as NSString).lastPathComponent) (it knows only synthetic shapes)"),
            ]))
        }
        return sections
    }

    /// Seed 000's masking table on ST-GCN and methods × metrics tables on MovingShapes (3D CNN and
    /// video transformer).
    func evaluations() throws -> [Report] {
        print("\nseed 000's masking table on stgcn_small (270 test skeletons, per-class joint importance):")
        try run(EvaluateCommand.self, ["--model", "\(models)/stgcn_small", "--data", "skeleton-actions", "--count", "270",
                                       "--methods", "gradcam", "--metrics", "masking", "--importance", "class", "--quiet",
                                       "--out", "evaluate/stgcn_small"])
        try printTables(of: "evaluate/stgcn_small", titled: "Masking")
        print("\nmethods × metrics on MovingShapes (r3d_small, 32 test clips, Grad-CAM family at layer2):")
        try run(EvaluateCommand.self, ["--model", "\(models)/r3d_small", "--data", "moving-shapes", "--count", "32", "--layer", "layer2",
                                       "--methods", "gradcam,gradcam++,layercam,guided-backprop,lrp",
                                       "--metrics", "masking,deletion,insertion,pointing-game,relevance-mass,relevance-rank",
                                       "--quiet", "--out", "evaluate/r3d_small"])
        try printTables(of: "evaluate/r3d_small", titled: "Methods")
        print("\nmethods × metrics on MovingShapes (video_transformer_small, 32 test clips, Grad-CAM at pos_embed.add):")
        try run(EvaluateCommand.self, ["--model", "\(models)/video_transformer_small", "--data", "moving-shapes", "--count", "32",
                                       "--layer", "pos_embed.add",
                                       "--methods", "attention-rollout,transformer-attribution,attnlrp,gradcam,integrated-gradients,saliency",
                                       "--metrics", "masking,deletion,insertion,pointing-game,relevance-mass",
                                       "--quiet", "--out", "evaluate/video_transformer_small"])
        try printTables(of: "evaluate/video_transformer_small", titled: "Methods")
        return [
            Report(directory: "evaluate/stgcn_small", title: "ST-GCN: seed 000's masking faithfulness",
                   shows: "accuracy after masking the most / least important 10, 50, 90 % of joints (ψ_c per class), and β"),
            Report(directory: "evaluate/r3d_small", title: "3D CNN: methods × metrics",
                   shows: "masking, deletion / insertion AUC, pointing game and relevance mass against the ground-truth voxels"),
            Report(directory: "evaluate/video_transformer_small", title: "Video transformer: methods × metrics",
                   shows: "the attention methods against Grad-CAM, integrated gradients and saliency on the same metrics"),
        ]
    }

    private func explain(_ name: String, _ model: String, _ samples: String?, _ methods: String, _ options: [String],
                         _ shows: String) throws -> Report {
        let input = samples.map { ["--input", "\($0)/inputs.npy"] } ?? []
        let started = Date()
        try run(ExplainCommand.self, ["--model", "\(models)/\(model)", "--method", methods, "--quiet", "--out", name]
                + input + options)
        let seconds = String(format: "%6.2f s", Date().timeIntervalSince(started))
        print("  " + name.padding(toLength: 44, withPad: " ", startingAt: 0) + seconds + "  (\(methods))")
        return Report(directory: name, title: name, shows: shows)
    }

    private func run<Command: ParsableCommand>(_ command: Command.Type, _ arguments: [String]) throws {
        var command = try Command.parse(arguments)
        try command.run()
    }

    /// Prints the Markdown tables of an evaluation whose heading starts with `titled`.
    private func printTables(of directory: String, titled prefix: String) throws {
        let text = try String(contentsOfFile: "\(directory)/metrics.md", encoding: .utf8)
        let sections = text.components(separatedBy: "\n## ").dropFirst()
        for section in sections where section.hasPrefix(prefix) { print("## " + section.trimmingCharacters(in: .newlines)) }
    }
}
