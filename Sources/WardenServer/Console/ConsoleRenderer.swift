import Foundation
import Hummingbird
import Mustache

/// Renders the console's pages from the Mustache templates shipped as resources (`Templates/*.mustache`).
/// Mustache escapes every `{{value}}` for HTML (`< > & " '`), which is right for element text and quoted
/// attributes; the few `{{{fragments}}}` left unescaped are built by ``HTML`` in Swift, which escapes what it
/// puts in them. Templates never place a value in a script, a style or an unquoted attribute.
public struct ConsoleRenderer: Sendable {
    let library: MustacheLibrary
    /// The stylesheet and script, served from memory under `/console/assets/`.
    let assets: [String: (contentType: String, bytes: [UInt8])]

    /// Loads the templates and assets from the module's resources.
    public init() throws {
        guard let templates = Bundle.module.url(forResource: "Templates", withExtension: nil),
              let assets = Bundle.module.url(forResource: "Assets", withExtension: nil) else {
            throw ConsoleSetupError(message: "the console's templates or assets are missing from the resources")
        }
        var library = MustacheLibrary()
        let files = try FileManager.default.contentsOfDirectory(at: templates, includingPropertiesForKeys: nil)
        for file in files where file.pathExtension == "mustache" {
            let text = try String(contentsOf: file, encoding: .utf8)
            do { try library.register(text, named: file.deletingPathExtension().lastPathComponent) } catch {
                throw ConsoleSetupError(message: "template \(file.lastPathComponent): \(error)")
            }
        }
        self.library = library
        var loaded: [String: (String, [UInt8])] = [:]
        for file in try FileManager.default.contentsOfDirectory(at: assets, includingPropertiesForKeys: nil) {
            let type: String
            switch file.pathExtension {
            case "css": type = "text/css; charset=utf-8"
            case "js": type = "text/javascript; charset=utf-8"
            case "svg": type = "image/svg+xml"
            default: continue
            }
            loaded[file.lastPathComponent] = (type, Array(try Data(contentsOf: file)))
        }
        self.assets = loaded
    }

    /// The page `template` rendered with `model`, as an HTML response.
    func page(_ template: String, _ model: Any, status: HTTPResponse.Status = .ok) -> Response {
        let html = library.render(model, withTemplate: template) ?? "template \(template) is missing"
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}

/// The console could not be set up (a packaging fault, not a request's).
public struct ConsoleSetupError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
