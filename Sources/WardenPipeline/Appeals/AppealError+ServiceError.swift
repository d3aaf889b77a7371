import WardenCore

extension AppealError: ServiceError {
    public var httpStatus: Int {
        switch self {
        case .logNotFound, .appealNotFound: 404
        // Not an authorization failure of the caller's token: the member named is not the log's.
        case .notYourLog: 422
        case .windowClosed, .alreadyAppealed, .alreadyDecided: 409
        case .invalidReason, .invalidNote: 400
        case .invalidSetting: 409
        case .unreadableLog, .unreadableTriage: 500
        }
    }
}
