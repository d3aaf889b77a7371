import Foundation

/// The image formats a verification screenshot may be in.
public enum ImageFormat: String, Sendable, Codable, CaseIterable {
    case png, jpeg, webp

    /// The canonical content type.
    public var contentType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .webp: "image/webp"
        }
    }

    /// The common non-standard spellings of the content type, tolerated because clients send them.
    public var contentTypeAliases: [String] {
        switch self {
        case .png: ["image/x-png"]
        case .jpeg: ["image/jpg", "image/pjpeg"]
        case .webp: []
        }
    }

    /// The format a declared content type names; nil for anything else. Parameters (`; charset=…`), case
    /// and the ``contentTypeAliases`` are tolerated.
    public init?(contentType: String) {
        let base = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let mediaType = base.trimmingCharacters(in: .whitespaces).lowercased()
        guard let format = Self.allCases.first(where: { $0.contentType == mediaType || $0.contentTypeAliases.contains(mediaType) }) else {
            return nil
        }
        self = format
    }
}

/// What a valid screenshot is. Hashing is left to the caller (no crypto in Core).
public struct ImageInfo: Sendable, Equatable, Codable {
    public var format: ImageFormat
    public var width: Int
    public var height: Int
    public var byteCount: Int

    public init(format: ImageFormat, width: Int, height: Int, byteCount: Int) {
        self.format = format; self.width = width; self.height = height; self.byteCount = byteCount
    }
}

/// Bounds a screenshot must stay within. The dimension limits keep a decompression bomb (a tiny file that
/// declares a huge canvas) away from the vision model and anything that decodes the image.
public struct ImageLimits: Sendable, Equatable, Codable {
    public var maxBytes: Int
    public var maxSide: Int
    public var maxPixels: Int

    public init(maxBytes: Int = 10 * 1024 * 1024, maxSide: Int = 10_000, maxPixels: Int = 40_000_000) {
        self.maxBytes = maxBytes; self.maxSide = maxSide; self.maxPixels = maxPixels
    }

    /// 10 MiB, 10,000 px either side, 40 megapixels.
    public static let standard = ImageLimits()
}

/// Why an upload is not an acceptable screenshot. Every message can be shown to the member as is.
public enum ImageProbeError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case tooLarge(byteCount: Int, limit: Int)
    /// `prefix` is up to the first 8 bytes, for the log.
    case notAnImage(prefix: [UInt8])
    /// The bytes are `detected`, but the upload said `declared`.
    case contentTypeMismatch(declared: String, detected: ImageFormat)
    /// The file ends before its header does.
    case truncated(format: ImageFormat, detail: String)
    /// The header is present but not valid.
    case malformed(format: ImageFormat, detail: String)
    case badDimensions(width: Int, height: Int, reason: String)

    public var description: String {
        switch self {
        case .empty:
            return "the upload is empty"
        case .tooLarge(let count, let limit):
            return "the image is \(count) bytes, more than the \(limit) bytes (\(limit / (1024 * 1024)) MiB) allowed"
        case .notAnImage(let prefix):
            let hex = prefix.map { String($0, radix: 16, uppercase: true).leftPadded(to: 2) }.joined(separator: " ")
            return "not an image: the first bytes are neither PNG, JPEG nor WebP (\(hex))"
        case .contentTypeMismatch(let declared, let detected):
            return "the upload says it is \(declared), but its bytes are \(detected.rawValue.uppercased())"
        case .truncated(let format, let detail):
            return "truncated \(format.rawValue.uppercased()) image: \(detail)"
        case .malformed(let format, let detail):
            return "invalid \(format.rawValue.uppercased()) image: \(detail)"
        case .badDimensions(let width, let height, let reason):
            return "the image is \(width)×\(height) pixels: \(reason)"
        }
    }
}

/// Validates an uploaded screenshot from its bytes alone: the declared content type and the file name are
/// claims made by the uploader, the magic bytes and the header are what a decoder will actually see.
public enum ImageProbe {
    /// Checks size, format, header and dimensions, in that order (cheapest first, so an oversized upload
    /// is refused without looking at it).
    /// - Parameter declaredContentType: the upload's content type; nil or `application/octet-stream`
    ///   (a client that did not know) are not checked, anything else must name the detected format.
    public static func probe(_ bytes: [UInt8], declaredContentType: String? = nil,
                             limits: ImageLimits = .standard) throws(ImageProbeError) -> ImageInfo {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= limits.maxBytes else { throw .tooLarge(byteCount: bytes.count, limit: limits.maxBytes) }
        guard let format = detect(bytes) else { throw .notAnImage(prefix: Array(bytes.prefix(8))) }
        if let declared = declaredContentType, !isUndeclared(declared) {
            guard ImageFormat(contentType: declared) == format else {
                throw .contentTypeMismatch(declared: String(declared.prefix(100)), detected: format)
            }
        }
        let (width, height): (Int, Int)
        switch format {
        case .png: (width, height) = try pngSize(bytes)
        case .jpeg: (width, height) = try jpegSize(bytes)
        case .webp: (width, height) = try webpSize(bytes)
        }
        guard width > 0, height > 0 else { throw .badDimensions(width: width, height: height, reason: "a side is zero") }
        guard width <= limits.maxSide, height <= limits.maxSide else {
            throw .badDimensions(width: width, height: height, reason: "a side is larger than \(limits.maxSide) pixels")
        }
        // Both sides are at most maxSide here, so the product cannot overflow.
        guard width * height <= limits.maxPixels else {
            throw .badDimensions(width: width, height: height, reason: "more than \(limits.maxPixels) pixels in all")
        }
        return ImageInfo(format: format, width: width, height: height, byteCount: bytes.count)
    }

    /// `Data` convenience; checks the size before copying.
    public static func probe(_ data: Data, declaredContentType: String? = nil,
                             limits: ImageLimits = .standard) throws(ImageProbeError) -> ImageInfo {
        guard data.count <= limits.maxBytes else { throw .tooLarge(byteCount: data.count, limit: limits.maxBytes) }
        return try probe([UInt8](data), declaredContentType: declaredContentType, limits: limits)
    }

    /// The format the magic bytes announce; nil when none. Looks at the signature only: a file that starts
    /// right but is cut short is reported as truncated by the header parsers, which is the more useful message.
    public static func detect(_ bytes: [UInt8]) -> ImageFormat? {
        if bytes.starts(with: pngSignature) { return .png }
        // SOI followed by the start of a marker: two bytes alone are too weak a signature.
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF { return .jpeg }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), bytes[8..<12].elementsEqual("WEBP".utf8) { return .webp }
        return nil
    }

    private static func isUndeclared(_ contentType: String) -> Bool {
        let base = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let normalized = base.trimmingCharacters(in: .whitespaces).lowercased()
        return normalized.isEmpty || normalized == "application/octet-stream"
    }

    private static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    // MARK: PNG

    /// The signature is followed by the IHDR chunk, which the PNG specification requires to come first:
    /// length (13), "IHDR", width and height as 32-bit big-endian.
    private static func pngSize(_ b: [UInt8]) throws(ImageProbeError) -> (Int, Int) {
        guard b.count >= 24 else { throw .truncated(format: .png, detail: "the file ends before the IHDR header (\(b.count) of 24 bytes)") }
        guard b[12..<16].elementsEqual("IHDR".utf8) else { throw .malformed(format: .png, detail: "the first chunk is not IHDR") }
        guard be32(b, 8) == 13 else { throw .malformed(format: .png, detail: "the IHDR chunk is \(be32(b, 8)) bytes long, not 13") }
        let width = be32(b, 16), height = be32(b, 20)
        // The specification caps both at 2^31-1; larger is corrupt, not merely big.
        guard width <= 0x7FFF_FFFF, height <= 0x7FFF_FFFF else {
            throw .malformed(format: .png, detail: "IHDR dimensions exceed 2^31-1")
        }
        return (width, height)
    }

    // MARK: JPEG

    /// Walks the marker segments after SOI until a start-of-frame (SOFn), which holds the dimensions.
    /// Handles 0xFF fill bytes before a marker and the standalone markers (TEM, RST0–7) that have no length.
    private static func jpegSize(_ b: [UInt8]) throws(ImageProbeError) -> (Int, Int) {
        var i = 2
        while true {
            guard i < b.count else { throw .truncated(format: .jpeg, detail: "the file ends before the frame header (SOF)") }
            guard b[i] == 0xFF else {
                throw .malformed(format: .jpeg, detail: "expected a marker at byte \(i), found 0x\(String(b[i], radix: 16, uppercase: true))")
            }
            // Any number of 0xFF fill bytes may precede the marker code.
            while i < b.count, b[i] == 0xFF { i += 1 }
            guard i < b.count else { throw .truncated(format: .jpeg, detail: "the file ends inside a marker") }
            let marker = b[i]
            i += 1
            switch marker {
            case 0x01, 0xD0...0xD7:
                continue  // standalone: no length, no payload
            case 0xD8:
                throw .malformed(format: .jpeg, detail: "a second start-of-image marker before the frame header")
            case 0xD9, 0xDA:
                // End of image, or start of scan (compressed data follows): both mean no frame header came first.
                throw .malformed(format: .jpeg, detail: "no frame header (SOF) before \(marker == 0xD9 ? "the end of the image" : "the image data")")
            case 0x00:
                throw .malformed(format: .jpeg, detail: "an escaped 0xFF00 where a marker was expected at byte \(i - 2)")
            default:
                break
            }
            guard i + 2 <= b.count else { throw .truncated(format: .jpeg, detail: "the file ends inside a segment length") }
            let length = be16(b, i)  // includes its own two bytes
            guard length >= 2 else { throw .malformed(format: .jpeg, detail: "segment length \(length) at byte \(i) is less than 2") }
            // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
            if (0xC0...0xCF).contains(marker), marker != 0xC4, marker != 0xC8, marker != 0xCC {
                // payload: precision (1), height (2), width (2)
                guard length >= 7 else { throw .malformed(format: .jpeg, detail: "frame header is \(length) bytes, too short for dimensions") }
                guard i + 7 <= b.count else { throw .truncated(format: .jpeg, detail: "the file ends inside the frame header") }
                return (be16(b, i + 5), be16(b, i + 3))
            }
            i += length
        }
    }

    // MARK: WebP

    /// RIFF container: "RIFF", size (LE32), "WEBP", then the first chunk: "VP8 " (lossy), "VP8L" (lossless)
    /// or "VP8X" (extended, canvas size stored directly).
    private static func webpSize(_ b: [UInt8]) throws(ImageProbeError) -> (Int, Int) {
        guard b.count >= 20 else { throw .truncated(format: .webp, detail: "the file ends before the first chunk header (\(b.count) of 20 bytes)") }
        let riffSize = le32(b, 4)
        guard riffSize >= 4 else { throw .malformed(format: .webp, detail: "RIFF size \(riffSize) is too small") }
        guard riffSize + 8 <= b.count else {
            throw .truncated(format: .webp, detail: "the RIFF header declares \(riffSize + 8) bytes, the file has \(b.count)")
        }
        let fourCC = String(decoding: b[12..<16], as: UTF8.self)
        let data = 20
        switch fourCC {
        case "VP8 ":
            // Frame tag (3 bytes), start code 9D 01 2A, then 14-bit width and height (top 2 bits are scaling).
            guard b.count >= data + 10 else { throw .truncated(format: .webp, detail: "the file ends inside the VP8 frame header") }
            guard b[data + 3] == 0x9D, b[data + 4] == 0x01, b[data + 5] == 0x2A else {
                throw .malformed(format: .webp, detail: "missing VP8 start code")
            }
            guard b[data] & 0x01 == 0 else { throw .malformed(format: .webp, detail: "the first VP8 frame is not a key frame") }
            return (le16(b, data + 6) & 0x3FFF, le16(b, data + 8) & 0x3FFF)
        case "VP8L":
            // Signature 0x2F, then 14 bits width-1, 14 bits height-1 (little-endian bit order).
            guard b.count >= data + 5 else { throw .truncated(format: .webp, detail: "the file ends inside the VP8L header") }
            guard b[data] == 0x2F else { throw .malformed(format: .webp, detail: "missing VP8L signature") }
            let bits = le32(b, data + 1)
            return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        case "VP8X":
            // Flags (1), reserved (3), canvas width-1 (LE24), canvas height-1 (LE24).
            guard b.count >= data + 10 else { throw .truncated(format: .webp, detail: "the file ends inside the VP8X header") }
            return (le24(b, data + 4) + 1, le24(b, data + 7) + 1)
        default:
            let printable = fourCC.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }
            throw .malformed(format: .webp, detail: "unknown first chunk \(printable ? "\"\(fourCC)\"" : "(not text)")")
        }
    }

    // MARK: Byte readers (callers check bounds)

    private static func be16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
    private static func be32(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
    private static func le16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    private static func le24(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 }
    private static func le32(_ b: [UInt8], _ i: Int) -> Int { le24(b, i) | Int(b[i + 3]) << 24 }
}

private extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
