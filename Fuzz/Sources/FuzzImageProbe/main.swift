import Foundation
import CFuzzDriver
import WardenCore

/// One input: any bytes as an upload. The probe must never crash or read out of bounds, and what it accepts
/// must be within the limits it was given.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzImageProbe(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeBufferPointer(start: start, count: count))
    let limits = ImageLimits(maxBytes: 1 << 20, maxSide: 4096, maxPixels: 4_000_000)
    guard let info = try? ImageProbe.probe(bytes, limits: limits) else { return 0 }
    precondition(info.width > 0 && info.height > 0 && info.width <= limits.maxSide && info.height <= limits.maxSide,
                 "accepted dimensions out of bounds: \(info.width)x\(info.height)")
    precondition(info.width * info.height <= limits.maxPixels, "accepted more pixels than allowed")
    precondition(ImageProbe.detect(bytes) == info.format, "reported a format the bytes do not announce")
    return 0
}

exit(warden_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    guard let data else { return 0 }
    return fuzzImageProbe(data, size)
})
