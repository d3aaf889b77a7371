import Foundation
import CFuzzDriver
import WardenCore

/// One input: any bytes as a message body. The parser must never crash, and what it accepts must be JSON
/// (Foundation's parser is the second opinion) whose content stays within Discord's limit.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzMessageParser(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard let message = try? MessageDecoder().decode(data) else { return 0 }
    guard (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil else {
        fatalError("the message parser accepted bytes that are not JSON: \(Array(data.prefix(64)))")
    }
    precondition(message.content.count <= MessageDecoder.contentLimit, "accepted content over the limit")
    return 0
}

exit(warden_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    guard let data else { return 0 }
    return fuzzMessageParser(data, size)
})
