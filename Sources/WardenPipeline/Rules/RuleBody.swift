/// One rule as a client sends it: JSON (the API's default, `application/json`, a `.json` file) or YAML,
/// only when the sender says so (`application/yaml`, any other file).
public enum RuleBody: Sendable {
    case json([UInt8])
    case yaml(String)
}
