/// Comma-separated numbers on the command line (`4,8,8`, `-1.5,2`).
enum CommaSeparated {
    /// The items of `text` parsed as `T` (spaces around items allowed, empty items skipped); nil
    /// if any item is not a `T`.
    static func values<T: LosslessStringConvertible>(_ text: String, as type: T.Type = T.self) -> [T]? {
        var values: [T] = []
        for item in text.split(separator: ",") {
            guard let value = T(item.trimmingCharacters(in: .whitespaces)) else { return nil }
            values.append(value)
        }
        return values
    }
}
