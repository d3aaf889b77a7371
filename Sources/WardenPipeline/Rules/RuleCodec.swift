import Foundation
import WardenCore
import WardenStore

/// Converts between a rule definition and its two rows: `automod_rules.config` holds the definition without
/// name, type, enabled flag and action; `automod_actions` holds the action (type, severity, config).
public enum RuleCodec {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    public struct Rows: Sendable {
        public var configJSON: String
        public var actionType: String
        public var severity: Int
        public var actionConfigJSON: String
    }

    public static func rows(for definition: RuleDefinition) throws -> Rows {
        var config = definition
        config.action = nil
        let action = definition.effectiveAction
        return Rows(configJSON: String(decoding: try encoder.encode(config), as: UTF8.self),
                    actionType: action.type.rawValue, severity: action.severity,
                    actionConfigJSON: String(decoding: try encoder.encode(action), as: UTF8.self))
    }

    /// Rebuilds a definition from stored rows; the row's name, type and enabled flag win over the config's.
    public static func definition(from stored: StoredRule) throws -> RuleDefinition {
        // The row's type picks the kind that reads the config's fields (a kind owns its fields).
        let decoder = JSONDecoder()
        if let type = RuleType(rawValue: stored.ruleType) { decoder.userInfo[RuleDefinition.typeOverride] = type }
        var definition = try decoder.decode(RuleDefinition.self, from: Data(stored.configJSON.utf8))
        definition.name = stored.name
        definition.enabled = stored.enabled
        if let actionJSON = stored.actionConfigJSON {
            var action = try JSONDecoder().decode(RuleAction.self, from: Data(actionJSON.utf8))
            if let type = stored.actionType.flatMap(RuleAction.Kind.init(rawValue:)) { action.type = type }
            if let severity = stored.severity { action.severity = severity }
            definition.action = action
        }
        return definition
    }
}
