import Foundation
import STCore
import STExplain
import STIO

/// `--target` on the command line:
///
///     top | <class> | labels:<file.npy> | prob | prob:<class> | attention:<frame>
///     output:<i>[,<j>…] | translation | rotation          (regression outputs, PoseNet parts)
///     loss | loss:translation | loss:rotation              (−MSE against --ground-truth)
enum TargetParsing {
    static func parse(_ text: String, groundTruth: String?, referenceFrames: Int) throws -> Target {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let (head, argument) = (parts.first ?? "", parts.count > 1 ? parts[1] : nil)
        func integers(_ list: String) throws -> [Int] {
            guard let values = CommaSeparated.values(list, as: Int.self) else { throw invalid(text) }
            return values
        }
        func pose(_ name: String) throws -> [Int] {
            guard let part = Target.PosePart(rawValue: name) else { throw invalid(text) }
            return Target.poseComponents(part, referenceFrames: referenceFrames)
        }
        switch (head, argument) {
        case ("top", nil): return .topClass
        case ("prob", nil): return .probability(nil)
        case ("prob", let value?): return .probability(try integers(value).first)
        case ("attention", let value?): return .attention(frame: try integers(value).first ?? 0)
        case ("labels", let path?):
            let labels = try NPY.read(path: path).scalars
            guard labels.allSatisfy({ $0 >= 0 && $0 == $0.rounded() }) else {
                throw STError.badInput(file: path, reason: "class labels must be non-negative integers")
            }
            return .classIndices(labels.map { Int($0) })
        case ("output", let value?): return .outputs(try integers(value))
        case ("translation", nil), ("rotation", nil): return .outputs(try pose(head))
        case ("loss", let part):
            guard let groundTruth else {
                throw STError.invalidRequest("--target \(text) needs --ground-truth (an .npy of the model's output shape)")
            }
            return .negativeLoss(groundTruth: try NPY.read(path: groundTruth), components: try part.map(pose))
        default:
            guard argument == nil, let index = Int(head) else { throw invalid(text) }
            return .classIndex(index)
        }
    }

    private static func invalid(_ text: String) -> STError {
        .invalidRequest("unknown --target '\(text)'; use top, a class index, labels:file.npy, prob[:class], attention:frame, "
                        + "output:i,j, translation, rotation, or loss[:translation|rotation]")
    }
}
