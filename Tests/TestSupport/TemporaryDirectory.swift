import Foundation

/// A fresh empty directory under the system's temporary directory (`stexplain-test-<UUID>`);
/// the caller removes it.
package func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("stexplain-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
