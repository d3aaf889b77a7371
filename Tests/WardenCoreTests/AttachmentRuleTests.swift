import Foundation
import Testing
@testable import WardenCore

@Suite struct AttachmentRuleTests {
    func reason(_ check: AttachmentCheck, _ name: String, type: String? = nil, size: Int? = nil) -> String? {
        check.firstFinding(in: [.init(filename: name, size: size, contentType: type)])?.reason
    }

    @Test func extensionsAreReadAsDesktopsShowThem() {
        #expect(AttachmentCheck.extensions(of: "Invoice.PDF.exe ") == ["pdf", "exe"])
        #expect(AttachmentCheck.extensions(of: "evil.exe...") == ["exe"])
        #expect(AttachmentCheck.extensions(of: "archive.tar.gz") == ["tar", "gz"])
        #expect(AttachmentCheck.extensions(of: "v1.2 release notes.txt") == ["txt"])
        #expect(AttachmentCheck.extensions(of: "README") == [])
        #expect(AttachmentCheck.extensions(of: "invoice\u{202E}fdp.exe") == ["exe"])
        #expect(AttachmentCheck.extensions(of: "photo.jp\u{200B}g") == ["jpg"])
    }

    @Test func deniedAndAllowedExtensions() {
        let denied = AttachmentCheck(deniedExtensions: ["exe", "scr"])
        #expect(reason(denied, "Setup.EXE") == "extension .exe")
        #expect(reason(denied, "holiday.png") == nil)
        let allowed = AttachmentCheck(allowedExtensions: ["png", "jpg"])
        #expect(reason(allowed, "a.gif") == "extension .gif is not allowed")
        #expect(reason(allowed, "notes") == "no extension (only .jpg, .png allowed)")
        #expect(reason(allowed, "cat.JPG") == nil)
    }

    @Test func aDocumentNameHidingAProgramIsCaughtAndOrdinaryDoublesAreNot() {
        let doubles = AttachmentCheck(doubleExtensions: true)
        #expect(reason(doubles, "invoice.pdf.exe") == "double extension .pdf.exe")
        #expect(reason(doubles, "nudes.JPG.scr ") == "double extension .jpg.scr")
        #expect(reason(doubles, "invoice\u{202E}fdp.exe") == "extension .exe hidden by direction or zero-width controls")
        for benign in ["archive.tar.gz", "photo.png", "report.final.pdf", "setup.exe", "v2.0.zip"] {
            #expect(reason(doubles, benign) == nil, "\(benign)")
        }
    }

    @Test func contentTypesAndSize() {
        let check = AttachmentCheck(deniedContentTypes: ["application/x-*", "text/html"], maxBytes: 1_000)
        #expect(reason(check, "a.bin", type: "application/x-msdownload") == "content type application/x-msdownload (application/x-*)")
        #expect(reason(check, "a.html", type: "TEXT/HTML") == "content type text/html (text/html)")
        #expect(reason(check, "a.png", type: "image/png", size: 1_000) == nil)
        #expect(reason(check, "a.png", type: "image/png", size: 1_001) == "size 1001 bytes, over 1000")
    }

    @Test func aRuleFromAPackMatchesWithTheFileAsEvidence() throws {
        let yaml = """
        rules:
          - {name: no-programs, type: attachments, extensions: [exe, .scr], double_extensions: true, action: {type: delete, severity: 2}}
        """
        let (rules, issues) = RulePack.parse(files: [(name: "pack.yaml", contents: yaml)])
        #expect(issues.isEmpty, "\(issues)")
        let set = CompiledRuleSet(rules: rules.map { RuleSource(id: 7, definition: $0.definition) })
        let evaluator = MessageEvaluator()
        var message = DiscordMessage(id: Snowflake(1), guildID: Snowflake(2), channelID: Snowflake(3), author: .init(id: Snowflake(4)), content: "here is the invoice",
                                     timestamp: Date(timeIntervalSince1970: 1_800_000_000))
        message.attachments = [.init(filename: "photo.png"), .init(filename: "Invoice.pdf.scr", size: 5_000)]
        let evaluation = evaluator.evaluate(message, rules: set, policy: GuildPolicy())
        let match = try #require(evaluation.matches.first)
        #expect(match.rule == "no-programs" && match.type == .attachments && match.ruleID == 7)
        #expect(match.evidence.attachment == "Invoice.pdf.scr" && match.evidence.pattern == "extension .scr")
        message.attachments = [.init(filename: "photo.png")]
        #expect(evaluator.evaluate(message, rules: set, policy: GuildPolicy()).matches.isEmpty)
    }

    @Test func aRuleWithNothingToCheckOrABadExtensionIsRefused() {
        #expect(AttachmentsKind().problems().map(\.field) == ["extensions"])
        var kind = AttachmentsKind()
        kind.extensions = ["e.x", ""]
        kind.contentTypes = ["exe"]
        kind.maxBytes = 0
        #expect(kind.problems().map(\.field) == ["extensions[0]", "extensions[1]", "content_types[0]", "max_bytes"])
    }
}
