import Foundation
import WardenCore
import WardenPipeline

/// One Gateway event Warden acts on: its Discord name and what it does with the dispatch's `d`.
/// One file per event in this folder, listed once in ``GatewayEvents/all``.
protocol GatewayEvent: Sendable {
    /// Discord's event name (`t`), such as `MESSAGE_UPDATE`.
    var name: String { get }
    /// Decodes `d`, checks that the caller may act on its guild (`authorize`), and judges or records it.
    func handle(_ data: ArraySlice<UInt8>, sequence: Int64?, on desk: GatewayDesk, authorize: (Snowflake) throws -> Void) async throws -> GatewayReply
}

/// The registry of Gateway events: adding one is its file here plus one line.
enum GatewayEvents {
    static let all: [any GatewayEvent] = [
        MessageCreateEvent(), MessageUpdateEvent(), AutoModerationActionExecutionEvent(), GuildMemberAddEvent(), GuildMemberUpdateEvent(),
    ]

    static func named(_ name: String) -> (any GatewayEvent)? { all.first { $0.name == name } }
}

/// What one dispatch came to: a decision of the usual shape, or nothing to do and why.
enum GatewayReply {
    case decision(ProcessedMessage)
    case ignored(event: String, reason: String)

    /// The JSON answered for it.
    func json() throws -> String {
        switch self {
        case .decision(let processed): return processed.json
        case .ignored(let event, let reason):
            struct Ignored: Encodable { let ignored: String; let reason: String }
            return String(decoding: try JSONBodies.verbatim.encode(Ignored(ignored: event, reason: reason)), as: UTF8.self)
        }
    }
}

/// What the Gateway events act through: the intake (new messages go through the same group commit as
/// `/v1/messages`) and the pipeline.
struct GatewayDesk: Sendable {
    let intake: MessageIntake
    let members: MemberDesk
    var pipeline: MessagePipeline { intake.pipeline }

    /// `d` decoded as `T`, or a 400 naming the event and the field at fault; its texts follow the text policy.
    func decode<T: Decodable>(_ type: T.Type, _ data: ArraySlice<UInt8>, event: String) throws -> T {
        let value: T
        do { value = try JSONDecoder().decode(T.self, from: Data(data)) } catch let error as DecodingError {
            throw APIError.badRequest("invalid_dispatch", "\(event) d: \(JSONBodies.describe(error))")
        }
        do throws(InvalidText) { try JSONBodies.checkText(data) } catch {
            throw APIError.badRequest(error.code, "\(event) d: \(error.description)")
        }
        return value
    }
}
