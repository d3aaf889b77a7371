import WardenCore

/// Why a case could not be recorded, read or changed.
public enum CaseError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownAction(String)
    case invalidReason(String)
    case invalidDuration(String)
    case noMuteRole
    case caseNotFound(Int)

    public var description: String {
        switch self {
        case .unknownAction(let name):
            "unknown action '\(name)' (expected \(ManualAction.allCases.map(\.rawValue).listed("or")))"
        case .invalidReason(let problem): "reason \(problem)"
        case .invalidDuration(let problem): "duration \(problem)"
        case .noMuteRole: "a mute gives the guild's mute role: set automod.mute_role_id first (or use timeout, Discord's own)"
        case .caseNotFound(let number): "no case #\(number) in this guild"
        }
    }
}

extension CaseError: ServiceError {
    public var httpStatus: Int {
        switch self {
        case .unknownAction, .invalidReason, .invalidDuration: 400
        case .noMuteRole: 409
        case .caseNotFound: 404
        }
    }
    public var code: String {
        switch self {
        case .unknownAction: "unknown_action"
        case .invalidReason: "invalid_reason"
        case .invalidDuration: "invalid_duration"
        case .noMuteRole: "no_mute_role"
        case .caseNotFound: "not_found"
        }
    }
}

/// What a moderator can record by hand.
public enum ManualAction: String, CaseIterable, Sendable, Codable {
    case warn, timeout, mute, kick, ban, unban, unmute, note

    /// Whether a duration applies: required for a timeout; optional for a ban and a mute (then temporary).
    var takesDuration: Bool { self == .timeout || self == .ban || self == .mute }
}
