import CZlib
import Foundation
import GymCore

/// Encodes `RGBFrame`s as 8-bit truecolour PNG files.
public enum PNGEncoder {
    /// The eight bytes every PNG file starts with.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    // The spec caps a chunk's length at 2^31 - 1; larger image data is split across IDAT chunks.
    private static let maxChunkLength = Int(Int32.max)

    /// The complete PNG file for `frame`: colour type 2, no interlacing, filter type 0 on every row.
    ///
    /// Rendered frames are mostly flat colour, which deflate already shrinks well without filtering.
    public static func encode(_ frame: RGBFrame) throws(ImageFormatError) -> [UInt8] {
        guard frame.width > 0, frame.height > 0,
            frame.width <= Int(Int32.max), frame.height <= Int(Int32.max)
        else { throw .invalidDimensions(width: frame.width, height: frame.height) }
        let rowBytes = frame.width * RGBFrame.bytesPerPixel
        let expected = rowBytes * frame.height
        guard frame.pixels.count == expected else {
            throw .pixelCountMismatch(expected: expected, actual: frame.pixels.count)
        }

        var header: [UInt8] = []
        header.reserveCapacity(13)
        appendBigEndian(UInt32(frame.width), to: &header)
        appendBigEndian(UInt32(frame.height), to: &header)
        // Bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
        header += [8, 2, 0, 0, 0]

        let compressed = try deflate(filteredRows(of: frame, rowBytes: rowBytes))

        var png = signature
        png.reserveCapacity(signature.count + compressed.count + 64)
        appendChunk("IHDR", header[...], to: &png)
        var offset = 0
        repeat {
            let end = min(offset + maxChunkLength, compressed.count)
            appendChunk("IDAT", compressed[offset..<end], to: &png)
            offset = end
        } while offset < compressed.count
        appendChunk("IEND", [][...], to: &png)
        return png
    }

    /// Encodes `frame` and writes it to `path`, replacing any existing file atomically.
    public static func write(_ frame: RGBFrame, to path: String) throws(ImageFormatError) {
        let png = try encode(frame)
        do {
            try Data(png).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .writeFailed(path: path, reason: String(describing: error))
        }
    }

    /// Each row prefixed with its filter-type byte (0, "None").
    private static func filteredRows(of frame: RGBFrame, rowBytes: Int) -> [UInt8] {
        var raw: [UInt8] = []
        raw.reserveCapacity((rowBytes + 1) * frame.height)
        for row in 0..<frame.height {
            raw.append(0)
            raw += frame.pixels[(row * rowBytes)..<((row + 1) * rowBytes)]
        }
        return raw
    }

    /// A zlib stream (header, deflate data, Adler-32), which is exactly what IDAT carries.
    private static func deflate(_ raw: [UInt8]) throws(ImageFormatError) -> [UInt8] {
        var capacity = compressBound(uLong(raw.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = raw.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                compress2(
                    destination.baseAddress, &capacity, source.baseAddress, uLong(source.count),
                    Z_DEFAULT_COMPRESSION)
            }
        }
        guard status == Z_OK else { throw .compressionFailed(status: status) }
        output.removeSubrange(Int(capacity)...)
        return output
    }

    private static func appendChunk(_ type: StaticString, _ data: ArraySlice<UInt8>, to png: inout [UInt8]) {
        appendBigEndian(UInt32(data.count), to: &png)
        // CRC covers the type and the data but not the length.
        var crc = crc32(0, nil, 0)
        type.withUTF8Buffer { typeBytes in
            png += typeBytes
            crc = crc32(crc, typeBytes.baseAddress, uInt(typeBytes.count))
        }
        data.withUnsafeBufferPointer { bytes in
            crc = crc32(crc, bytes.baseAddress, uInt(bytes.count))
        }
        png += data
        appendBigEndian(UInt32(truncatingIfNeeded: crc), to: &png)
    }

    private static func appendBigEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
