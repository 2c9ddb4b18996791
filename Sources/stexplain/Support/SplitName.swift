import STCore
import STData

extension Split {
    /// The split a `--split` option names: train, validation or test.
    init(named name: String) throws {
        let splits: [String: Split] = ["train": .train, "validation": .validation, "test": .test]
        guard let split = splits[name] else {
            throw STError.invalidRequest("unknown --split '\(name)'; use train, validation or test")
        }
        self = split
    }
}
