import Foundation
import Testing
@testable import WardenCore

@Suite struct ImageProbeTests {
    // MARK: Hand-built headers

    static func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    static func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)] }

    static func png(width: Int, height: Int) -> [UInt8] {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be32(13) + Array("IHDR".utf8) + be32(width) + be32(height)
            + [8, 6, 0, 0, 0] + [0, 0, 0, 0]  // bit depth, colour type, compression, filter, interlace; CRC
    }

    /// SOI, an APP0 segment, a DHT segment (a marker inside the SOF range that is not a frame), fill bytes,
    /// a standalone RST marker, then SOF2 (progressive) with the dimensions, then SOS and EOI.
    static func jpeg(width: Int, height: Int) -> [UInt8] {
        var b: [UInt8] = [0xFF, 0xD8]
        b += [0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
        b += [0xFF, 0xC4, 0x00, 0x04, 0x00, 0x00]
        b += [0xFF, 0xFF, 0xFF, 0xD0]
        b += [0xFF, 0xC2, 0x00, 0x11, 0x08, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF), 3]
            + [1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]
        b += [0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0xFF, 0xD9]
        return b
    }

    static func riff(_ chunk: String, _ payload: [UInt8]) -> [UInt8] {
        let body = Array("WEBP".utf8) + Array(chunk.utf8) + le32(payload.count) + payload
        return Array("RIFF".utf8) + le32(body.count) + body
    }

    static func webpVP8X(width: Int, height: Int) -> [UInt8] {
        let w = width - 1, h = height - 1
        return riff("VP8X", [0x10, 0, 0, 0, UInt8(w & 0xFF), UInt8(w >> 8 & 0xFF), UInt8(w >> 16 & 0xFF),
                             UInt8(h & 0xFF), UInt8(h >> 8 & 0xFF), UInt8(h >> 16 & 0xFF)])
    }

    static func webpVP8L(width: Int, height: Int) -> [UInt8] {
        let bits = (width - 1) | (height - 1) << 14
        return riff("VP8L", [0x2F] + le32(bits) + [0])
    }

    static func webpVP8(width: Int, height: Int) -> [UInt8] {
        riff("VP8 ", [0x50, 0x02, 0x00, 0x9D, 0x01, 0x2A, UInt8(width & 0xFF), UInt8(width >> 8), UInt8(height & 0xFF), UInt8(height >> 8)])
    }

    func error(_ bytes: [UInt8], _ contentType: String? = nil, limits: ImageLimits = .standard) -> ImageProbeError? {
        do {
            _ = try ImageProbe.probe(bytes, declaredContentType: contentType, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Valid

    @Test func validImagesOfEachFormat() throws {
        let png = Self.png(width: 1170, height: 2532)
        #expect(try ImageProbe.probe(png, declaredContentType: "image/png")
                == ImageInfo(format: .png, width: 1170, height: 2532, byteCount: png.count))
        let jpeg = Self.jpeg(width: 1080, height: 1920)
        #expect(try ImageProbe.probe(jpeg, declaredContentType: "image/jpeg") == ImageInfo(format: .jpeg, width: 1080, height: 1920, byteCount: jpeg.count))
        #expect(try ImageProbe.probe(Self.webpVP8X(width: 3000, height: 2000)).width == 3000)
        #expect(try ImageProbe.probe(Self.webpVP8X(width: 3000, height: 2000)).height == 2000)
        let lossless = try ImageProbe.probe(Self.webpVP8L(width: 800, height: 600), declaredContentType: "image/webp")
        #expect(lossless.format == .webp && lossless.width == 800 && lossless.height == 600)
        let lossy = try ImageProbe.probe(Self.webpVP8(width: 640, height: 480))
        #expect(lossy.width == 640 && lossy.height == 480)
        #expect(try ImageProbe.probe(Data(png)).format == .png)
    }

    @Test func contentTypeSpellingsThatAgree() throws {
        let png = Self.png(width: 10, height: 10)
        #expect(try ImageProbe.probe(png, declaredContentType: "Image/PNG; charset=binary").format == .png)
        #expect(try ImageProbe.probe(png, declaredContentType: "application/octet-stream").format == .png)
        #expect(try ImageProbe.probe(Self.jpeg(width: 5, height: 5), declaredContentType: "image/jpg").format == .jpeg)
    }

    // MARK: Refused

    @Test func mismatchedContentType() {
        #expect(error(Self.png(width: 10, height: 10), "image/jpeg") == .contentTypeMismatch(declared: "image/jpeg", detected: .png))
        #expect(error(Self.jpeg(width: 10, height: 10), "image/gif") == .contentTypeMismatch(declared: "image/gif", detected: .jpeg))
        #expect(error(Self.webpVP8L(width: 10, height: 10), "text/plain") == .contentTypeMismatch(declared: "text/plain", detected: .webp))
        #expect(ImageProbeError.contentTypeMismatch(declared: "image/jpeg", detected: .png).description
                == "the upload says it is image/jpeg, but its bytes are PNG")
    }

    @Test func notAnImage() {
        let gif = Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0]
        #expect(error(gif) == .notAnImage(prefix: Array(gif.prefix(8))))
        #expect(error(gif)?.description == "not an image: the first bytes are neither PNG, JPEG nor WebP (47 49 46 38 39 61 01 00)")
        #expect(error(Array("hello, I paid!".utf8), "image/png") == .notAnImage(prefix: Array("hello, I".utf8)))
        // A RIFF file that is not WebP (a WAV) is not an image either.
        #expect(error(Array("RIFF".utf8) + Self.le32(4) + Array("WAVE".utf8)) != nil)
        #expect(error(Array("RIFF".utf8) + Self.le32(4) + Array("WAVE".utf8)) == .notAnImage(prefix: Array("RIFF".utf8) + Self.le32(4)))
        #expect(error([0xFF, 0xD8]) == .notAnImage(prefix: [0xFF, 0xD8]))
        #expect(error([]) == .empty)
    }

    @Test func truncatedHeaders() {
        #expect(error(Array(Self.png(width: 10, height: 10).prefix(20))) == .truncated(format: .png, detail: "the file ends before the IHDR header (20 of 24 bytes)"))
        let jpeg = Self.jpeg(width: 10, height: 10)
        // Cut inside the APP0 segment, and right after the fill bytes before SOF.
        if case .truncated(.jpeg, _)? = error(Array(jpeg.prefix(10))) {} else { Issue.record("expected a truncated JPEG") }
        if case .truncated(.jpeg, _)? = error(Array(jpeg.prefix(27))) {} else { Issue.record("expected a truncated JPEG") }
        if case .truncated(.jpeg, _)? = error(Array(jpeg.prefix(35))) {} else { Issue.record("expected a truncated JPEG (inside SOF)") }
        let webp = Self.webpVP8X(width: 10, height: 10)
        #expect(error(Array(webp.prefix(25))) == .truncated(format: .webp, detail: "the RIFF header declares 30 bytes, the file has 25"))
        #expect(error(Array(webp.prefix(16))) == .truncated(format: .webp, detail: "the file ends before the first chunk header (16 of 20 bytes)"))
    }

    @Test func malformedHeaders() {
        var png = Self.png(width: 10, height: 10)
        png[12] = UInt8(ascii: "X")
        #expect(error(png) == .malformed(format: .png, detail: "the first chunk is not IHDR"))
        // Image data (SOS) before any frame header.
        let noFrame: [UInt8] = [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xD9]
        #expect(error(noFrame) == .malformed(format: .jpeg, detail: "no frame header (SOF) before the image data"))
        // Garbage where a marker should be.
        #expect(error([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02, 0x12]) == .malformed(format: .jpeg, detail: "expected a marker at byte 6, found 0x12"))
        var vp8 = Self.webpVP8(width: 10, height: 10)
        vp8[23] = 0
        #expect(error(vp8) == .malformed(format: .webp, detail: "missing VP8 start code"))
        #expect(error(Self.riff("ABCD", [0, 0])) == .malformed(format: .webp, detail: "unknown first chunk \"ABCD\""))
    }

    @Test func sizeAndDimensionLimits() {
        let big = Self.png(width: 10, height: 10) + [UInt8](repeating: 0, count: 10 * 1024 * 1024)
        #expect(error(big) == .tooLarge(byteCount: big.count, limit: 10_485_760))
        #expect(error(big)?.description.contains("10 MiB") == true)
        #expect(throws: ImageProbeError.tooLarge(byteCount: big.count, limit: 10_485_760)) { try ImageProbe.probe(Data(big)) }
        #expect(error(Self.png(width: 10, height: 10), limits: ImageLimits(maxBytes: 20)) == .tooLarge(byteCount: 33, limit: 20))

        #expect(error(Self.png(width: 0, height: 10)) == .badDimensions(width: 0, height: 10, reason: "a side is zero"))
        #expect(error(Self.jpeg(width: 100, height: 0)) == .badDimensions(width: 100, height: 0, reason: "a side is zero"))
        #expect(error(Self.png(width: 10_001, height: 10)) == .badDimensions(width: 10_001, height: 10, reason: "a side is larger than 10000 pixels"))
        #expect(error(Self.webpVP8X(width: 9_000, height: 9_000)) == .badDimensions(width: 9_000, height: 9_000, reason: "more than 40000000 pixels in all"))
        #expect(error(Self.png(width: 0x7FFF_FFFF, height: 0x7FFF_FFFF)) != nil)
        #expect(error(Self.png(width: 0x8000_0000, height: 1)) == .malformed(format: .png, detail: "IHDR dimensions exceed 2^31-1"))
        // At the limits exactly: accepted.
        #expect(error(Self.png(width: 10_000, height: 4_000)) == nil)
    }
}
