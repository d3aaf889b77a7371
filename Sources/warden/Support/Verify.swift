import ArgumentParser
import Foundation
import WardenStore
import WardenSupport

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a member's payment screenshot (PNG, JPEG or WebP, at most 10 MiB).",
        discussion: """
        The screenshot is validated, stored as a pending verification and read by the vision model (counted
        in the member's daily quota). The guild's policy decides: verified only when the model can verify, asks
        no review, and the date, merchant and amount match `warden admin settings set verification '{...}' --scope
        support`; otherwise manual_review. Without WARDEN_LLM_BASE_URL the check waits for `warden support work`.
        """)
    @Argument(help: "The image file.") var image: String
    @Option(help: "The guild id.") var guild: String
    @Option(help: "The member's user id.") var user: String
    @Option(help: "The channel the screenshot was posted in.") var channel: String = "0"
    @Option(help: "The upload's declared content type (checked against the bytes).") var contentType: String?
    @OptionGroup var support: SupportOptions
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let g = try snowflake(guild, "--guild"), u = try snowflake(user, "--user"), c = try snowflake(channel, "--channel")
        guard let data = FileManager.default.contents(atPath: image) else { throw CLIError("cannot read \(image)") }
        let v = try await withOpenStore(store) { db in
            let desk = VerificationDesk(database: db)
            let id = try await desk.submit(guild: g, user: u, channel: c, image: [UInt8](data), contentType: contentType)
            if let worker = try support.worker(database: db) { try await worker.runUntilIdle() }
            return try await desk.verification(id, guild: g)
        }
        print("verification #\(v.id): \(v.status)")
        if let reason = v.aiReason { print("model: \(reason)") }
        if let reasons = v.reviewReasonsJSON, reasons != "[]" { print("review: \(reasons)") }
        if let error = v.lastError { print("error: \(error) (retried by `warden support work`)") }
    }
}

struct Verifications: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Payment verifications waiting for a moderator, and their resolution.",
        subcommands: [Pending.self, Resolve.self]
    )

    struct Pending: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List verifications in manual_review or error, oldest first.")
        @Option(help: "The guild id.") var guild: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild")
            let list = try await withOpenStore(store) { db in try await VerificationDesk(database: db).awaitingReview(guild: g) }
            for v in list {
                print("#\(v.id) user \(v.userID) \(v.status): \(v.reviewReasonsJSON ?? v.lastError ?? "-")")
            }
            if list.isEmpty { print("nothing waits for review") }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve a verification: --verified, or --reject REASON (closed_manual).")
        @Argument(help: "The verification id.") var id: Int64
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The moderator's user id (recorded).") var by: String
        @Flag(help: "The payment is genuine.") var verified = false
        @Option(help: "Close it as not verified, with this reason.") var reject: String?
        @OptionGroup var store: StoreOptions

        func validate() throws {
            guard verified != (reject != nil) else { throw ValidationError("give exactly one of --verified or --reject REASON") }
        }

        func run() async throws {
            let g = try snowflake(guild, "--guild"), moderator = try snowflake(by, "--by")
            let v = try await withOpenStore(store) { db in
                try await VerificationDesk(database: db).resolve(id, guild: g, verified: verified, by: moderator, rejectionReason: reject)
            }
            print("verification #\(v.id): \(v.status)")
        }
    }
}
