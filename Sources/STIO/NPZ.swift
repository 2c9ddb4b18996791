import Foundation
import STCore

/// NumPy's `.npz` archives as `np.savez` writes them: a zip archive whose entries `name.npy` are
/// `.npy` images (see `NPY`) stored without compression.
///
/// Reading finds the entries through the zip central directory (Zip64 records included, as numpy
/// writes Zip64 local headers), checks each entry's CRC-32 and decodes it with `NPY`; the keys are
/// the entry names without `.npy`, read as UTF-8 (Python's zipfile writes non-ASCII names as
/// UTF-8 and flags them so). Compressed archives (`np.savez_compressed`, deflate) are
/// rejected with an error saying so: decompressing would need zlib, which the package does not
/// link. Every problem is an `STError.badInput(file:reason:)` naming the archive; problems inside
/// an entry name the entry too.
public enum NPZ {
    /// Reads every array of the uncompressed `.npz` archive at `path`, keyed by name.
    ///
    /// Throws `STError.badInput(file: path, reason:)` when the file is missing or unreadable, is
    /// not a zip archive, is truncated, holds a compressed, encrypted or non-`.npy` entry, an
    /// entry fails its CRC-32 check, a name appears twice, or an entry is not a valid `.npy` image.
    public static func read(path: String) throws -> [String: Tensor] {
        let data = try MappedFile.contents(of: path)
        do {
            return try data.withUnsafeBytes { try decode($0) }
        } catch let problem as FormatProblem {
            throw STError.badInput(file: path, reason: problem.reason)
        }
    }

    /// Writes `arrays` to `path` as an uncompressed `.npz` archive, atomically: one stored entry
    /// `name.npy` (`NPY.encode`) per array, in byte order of the names, with its CRC-32.
    ///
    /// Throws `STError.badInput(file: path, reason:)` if an entry or the archive would need Zip64
    /// (an entry or offset of 4 GiB or more, or more than 65534 entries), a name is longer than
    /// 65531 bytes, or the file system refuses.
    public static func write(_ arrays: [String: Tensor], to path: String) throws {
        guard arrays.count < Int(UInt16.max) else {
            throw STError.badInput(file: path, reason: "\(arrays.count) arrays exceed the 65534 entries a zip archive "
                                   + "without Zip64 can hold")
        }
        let ordered = arrays.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        try AtomicFileWriter.write(to: path) { output in
            var centralDirectory: [UInt8] = []
            var offset = 0
            for (key, tensor) in ordered {
                let name = Array((key + ".npy").utf8)
                let contents = NPY.encode(tensor)
                guard name.count <= Int(UInt16.max) else {
                    throw STError.badInput(file: path,
                                           reason: "an array name of \(name.count - 4) bytes is too long for a zip entry")
                }
                guard contents.count < Int(UInt32.max), offset < Int(UInt32.max) else {
                    throw STError.badInput(file: path, reason: "array '\(key)' (\(contents.count) bytes at offset \(offset)) "
                                           + "needs Zip64, which this writer does not produce")
                }
                let record = EntryRecord(name: name, crc: CRC32.checksum(contents), size: UInt32(contents.count),
                                         offset: UInt32(offset))
                let localHeader = record.localHeader
                try output.write(localHeader)
                try output.write(contents)
                centralDirectory += record.centralDirectoryHeader
                offset += localHeader.count + contents.count
            }
            guard offset < Int(UInt32.max), centralDirectory.count < Int(UInt32.max) else {
                throw STError.badInput(file: path, reason: "the central directory (\(centralDirectory.count) bytes at offset "
                                       + "\(offset)) needs Zip64, which this writer does not produce")
            }
            try output.write(centralDirectory)
            var end: [UInt8] = []
            end.appendLittleEndian(Signature.endOfCentralDirectory)
            end += [0, 0, 0, 0]  // this disk, disk with the central directory
            end.appendLittleEndian(UInt16(ordered.count))
            end.appendLittleEndian(UInt16(ordered.count))
            end.appendLittleEndian(UInt32(centralDirectory.count))
            end.appendLittleEndian(UInt32(offset))
            end += [0, 0]  // comment length
            try output.write(end)
        }
    }

    // MARK: - Zip records

    /// Record signatures ("PK" followed by two record-type bytes).
    private enum Signature {
        static let localHeader: UInt32 = 0x0403_4b50
        static let centralDirectoryHeader: UInt32 = 0x0201_4b50
        static let endOfCentralDirectory: UInt32 = 0x0605_4b50
        static let zip64EndOfCentralDirectory: UInt32 = 0x0606_4b50
        static let zip64Locator: UInt32 = 0x0706_4b50
    }

    /// The fields of one stored entry that its local and central-directory headers share.
    private struct EntryRecord {
        let name: [UInt8]
        let crc: UInt32
        let size: UInt32
        let offset: UInt32

        /// Version needed 2.0; flags: bit 11 (the name is UTF-8) for non-ASCII names, as Python's
        /// zipfile sets it; method 0 (stored), time 00:00 and date 1980-01-01 (the zip epoch, as
        /// numpy writes); CRC, compressed and uncompressed size, name length.
        private var commonFields: [UInt8] {
            var bytes: [UInt8] = []
            bytes.appendLittleEndian(UInt16(20))
            bytes.appendLittleEndian(UInt16(name.allSatisfy { $0 < 0x80 } ? 0 : 0x0800))
            bytes += [0, 0, 0, 0, 0x21, 0]
            bytes.appendLittleEndian(crc)
            bytes.appendLittleEndian(size)
            bytes.appendLittleEndian(size)
            bytes.appendLittleEndian(UInt16(name.count))
            return bytes
        }

        var localHeader: [UInt8] {
            var bytes: [UInt8] = []
            bytes.appendLittleEndian(Signature.localHeader)
            bytes += commonFields + [0, 0]  // extra field length
            return bytes + name
        }

        /// Made by Unix (3) zip 2.0, no extra field, comment, disk or internal attributes;
        /// external attributes: a regular file with permissions 0644.
        var centralDirectoryHeader: [UInt8] {
            var bytes: [UInt8] = []
            bytes.appendLittleEndian(Signature.centralDirectoryHeader)
            bytes.appendLittleEndian(UInt16(3 << 8 | 20))
            bytes += commonFields + [0, 0, 0, 0, 0, 0, 0, 0]
            bytes.appendLittleEndian(UInt32(0o100644) << 16)
            bytes.appendLittleEndian(offset)
            return bytes + name
        }
    }

    /// One central-directory entry, sizes and offset resolved through its Zip64 field if needed.
    private struct Entry {
        let name: String
        let flags: UInt16
        let method: UInt16
        let crc: UInt32
        let compressedSize: Int
        let localHeaderOffset: Int
    }

    // MARK: - Reading

    private static func decode(_ file: UnsafeRawBufferPointer) throws -> [String: Tensor] {
        var arrays: [String: Tensor] = [:]
        for entry in try centralDirectory(file) {
            guard entry.name.hasSuffix(".npy") else {
                throw FormatProblem("entry '\(entry.name)' is not an .npy array (np.savez writes only name.npy entries)")
            }
            guard entry.flags & 1 == 0 else { throw FormatProblem("entry '\(entry.name)' is encrypted, which is not supported") }
            switch entry.method {
            case 0: break
            case 8:
                throw FormatProblem("entry '\(entry.name)' is compressed (deflate); only uncompressed .npz archives are "
                                    + "supported: save with np.savez, not np.savez_compressed")
            default:
                throw FormatProblem("entry '\(entry.name)' uses compression method \(entry.method); only uncompressed "
                                    + ".npz archives (np.savez) are supported")
            }
            let contents = try storedContents(of: entry, in: file)
            let computed = CRC32.checksum(contents)
            guard computed == entry.crc else {
                throw FormatProblem("entry '\(entry.name)' fails its CRC-32 check (stored " + hex(entry.crc)
                                    + ", computed " + hex(computed) + "): the archive is corrupt")
            }
            let key = String(entry.name.dropLast(4))
            guard arrays[key] == nil else { throw FormatProblem("entry '\(entry.name)' appears twice") }
            do {
                arrays[key] = try NPY.decode(contents)
            } catch let problem as FormatProblem {
                throw FormatProblem("entry '\(entry.name)': \(problem.reason)")
            }
        }
        return arrays
    }

    private static func hex(_ value: UInt32) -> String {
        "0x" + String(value, radix: 16, uppercase: true)
    }

    /// The entry's bytes, found after its local header (whose own sizes numpy leaves as Zip64
    /// placeholders, so only its name and extra-field lengths are used).
    private static func storedContents(of entry: Entry, in file: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer {
        let header = entry.localHeaderOffset
        guard header <= file.count - 30, file.littleEndian(UInt32.self, at: header) == Signature.localHeader else {
            throw FormatProblem("entry '\(entry.name)' has no local header at offset \(header) (truncated or corrupt archive)")
        }
        let start = header + 30 + Int(file.littleEndian(UInt16.self, at: header + 26))
            + Int(file.littleEndian(UInt16.self, at: header + 28))
        guard start <= file.count, entry.compressedSize <= file.count - start else {
            throw FormatProblem("entry '\(entry.name)' runs past the end of the archive (truncated file?)")
        }
        return UnsafeRawBufferPointer(rebasing: file[start..<(start + entry.compressedSize)])
    }

    /// The central directory's entries, located through the end-of-central-directory record (and
    /// its Zip64 counterpart when the classic fields hold the 0xFFFF… placeholders).
    private static func centralDirectory(_ file: UnsafeRawBufferPointer) throws -> [Entry] {
        let end = try endOfCentralDirectory(file)
        var count = Int(file.littleEndian(UInt16.self, at: end + 10))
        var offset = Int(file.littleEndian(UInt32.self, at: end + 16))
        if count == 0xffff || offset == 0xffff_ffff {
            let locator = end - 20
            guard locator >= 0, file.littleEndian(UInt32.self, at: locator) == Signature.zip64Locator else {
                throw FormatProblem("the end-of-central-directory record points to a Zip64 record that is missing")
            }
            let record = try integer(file.littleEndian(UInt64.self, at: locator + 8), "Zip64 record offset",
                                     limit: file.count - 56)
            guard file.littleEndian(UInt32.self, at: record) == Signature.zip64EndOfCentralDirectory else {
                throw FormatProblem("no Zip64 end-of-central-directory record at offset \(record)")
            }
            count = try integer(file.littleEndian(UInt64.self, at: record + 32), "entry count", limit: file.count / 46)
            offset = try integer(file.littleEndian(UInt64.self, at: record + 48), "central directory offset", limit: file.count)
        }
        var entries: [Entry] = []
        for _ in 0..<count {
            let (entry, next) = try centralDirectoryEntry(file, at: offset)
            entries.append(entry)
            offset = next
        }
        return entries
    }

    /// The offset of the end-of-central-directory record: its signature, searched backwards over
    /// the 22-byte record and at most 65535 bytes of archive comment.
    private static func endOfCentralDirectory(_ file: UnsafeRawBufferPointer) throws -> Int {
        let last = file.count - 22
        if last >= 0 {
            for offset in stride(from: last, through: max(0, last - 0xffff), by: -1)
            where file.littleEndian(UInt32.self, at: offset) == Signature.endOfCentralDirectory {
                return offset
            }
        }
        throw FormatProblem("not a zip archive (no end-of-central-directory record; truncated file?)")
    }

    /// The central-directory entry at `offset` and the offset of the next one.
    private static func centralDirectoryEntry(_ file: UnsafeRawBufferPointer, at offset: Int) throws -> (Entry, next: Int) {
        guard offset <= file.count - 46, file.littleEndian(UInt32.self, at: offset) == Signature.centralDirectoryHeader else {
            throw FormatProblem("no central-directory entry at offset \(offset) (truncated or corrupt archive)")
        }
        let nameLength = Int(file.littleEndian(UInt16.self, at: offset + 28))
        let extraLength = Int(file.littleEndian(UInt16.self, at: offset + 30))
        let commentLength = Int(file.littleEndian(UInt16.self, at: offset + 32))
        let nameStart = offset + 46
        let next = nameStart + nameLength + extraLength + commentLength
        guard next <= file.count else { throw FormatProblem("central-directory entry at offset \(offset) is truncated") }
        let name = String(decoding: file[nameStart..<(nameStart + nameLength)], as: UTF8.self)
        let extra = UnsafeRawBufferPointer(rebasing: file[(nameStart + nameLength)..<(nameStart + nameLength + extraLength)])
        var zip64 = Zip64Field(extra)
        let uncompressedSize = try zip64.resolve(file.littleEndian(UInt32.self, at: offset + 24), "size", entry: name)
        let compressedSize = try zip64.resolve(file.littleEndian(UInt32.self, at: offset + 20), "compressed size", entry: name)
        let localHeaderOffset = try zip64.resolve(file.littleEndian(UInt32.self, at: offset + 42), "offset", entry: name)
        let method = file.littleEndian(UInt16.self, at: offset + 10)
        guard method != 0 || compressedSize == uncompressedSize else {
            throw FormatProblem("stored entry '\(name)' has compressed size \(compressedSize) but size \(uncompressedSize)")
        }
        let entry = Entry(name: name, flags: file.littleEndian(UInt16.self, at: offset + 8), method: method,
                          crc: file.littleEndian(UInt32.self, at: offset + 16),
                          compressedSize: try integer(UInt64(compressedSize), "size of '\(name)'", limit: file.count),
                          localHeaderOffset: try integer(UInt64(localHeaderOffset), "offset of '\(name)'", limit: file.count))
        return (entry, next)
    }

    /// `value` as an `Int` if it is at most `limit`, else a problem naming `what`.
    private static func integer(_ value: UInt64, _ what: String, limit: Int) throws -> Int {
        guard limit >= 0, value <= UInt64(limit) else {
            throw FormatProblem("\(what) \(value) exceeds \(max(limit, 0)), impossible in this archive (truncated or corrupt?)")
        }
        return Int(value)
    }

    /// A central-directory entry's Zip64 extended-information field (header ID 0x0001): 8-byte
    /// values for the uncompressed size, compressed size and local-header offset, in that order,
    /// present only for the fields whose classic 4-byte value is the placeholder 0xFFFFFFFF.
    private struct Zip64Field {
        private var values: [UInt64] = []
        private var used = 0

        init(_ extra: UnsafeRawBufferPointer) {
            var position = 0
            while position + 4 <= extra.count {
                let id = extra.littleEndian(UInt16.self, at: position)
                let size = Int(extra.littleEndian(UInt16.self, at: position + 2))
                let body = position + 4
                if id == 1 {
                    values = stride(from: body, to: min(body + size, extra.count) - 7, by: 8).map {
                        extra.littleEndian(UInt64.self, at: $0)
                    }
                }
                position = body + size
            }
        }

        /// `classic`, or the next Zip64 value when `classic` is the placeholder; call in the
        /// fields' order. `field` names the value in the error message.
        mutating func resolve(_ classic: UInt32, _ field: String, entry: String) throws -> UInt64 {
            guard classic == 0xffff_ffff else { return UInt64(classic) }
            guard used < values.count else {
                throw FormatProblem("entry '\(entry)' lacks the Zip64 value of its \(field)")
            }
            defer { used += 1 }
            return values[used]
        }
    }
}
