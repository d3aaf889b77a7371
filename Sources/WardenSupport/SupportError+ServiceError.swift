import WardenCore

extension SupportError: ServiceError {
    public var httpStatus: Int {
        switch self {
        case .ticketNotFound, .proposalNotFound, .verificationNotFound: 404
        case .invalidTransition, .ticketChanged, .ticketFinished, .proposalNotPending, .verificationNotReviewable: 409
        case .notSuggested, .alreadySolved: 409
        case .invalidImage: 422
        case .invalidInput: 400
        // A stored setting the desk cannot use: the request was fine, the guild's configuration is not.
        case .invalidSetting: 409
        case .prompt: 500
        }
    }

    public var code: String {
        switch self {
        case .ticketNotFound, .proposalNotFound, .verificationNotFound: "not_found"
        case .invalidTransition: "invalid_transition"
        case .ticketChanged: "changed_meanwhile"
        case .ticketFinished: "ticket_finished"
        case .notSuggested: "not_suggested"
        case .alreadySolved: "already_solved"
        case .proposalNotPending, .verificationNotReviewable: "not_pending"
        case .invalidImage: "invalid_image"
        case .invalidInput: "invalid_field"
        case .invalidSetting: "invalid_setting"
        case .prompt: "prompt_error"
        }
    }
}
