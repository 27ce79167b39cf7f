import Foundation
import Synchronization

/// The fault rules in force, changed while the sandbox runs. The first rule
/// that matches a call and fires decides; a rule with `times` retires after
/// firing that often.
public final class FaultInjector: Sendable {
    private struct State {
        var rules: [FaultRule] = []
        var random: SeededGenerator
    }

    private let state: Mutex<State>

    public init(seed: UInt64) {
        state = Mutex(State(random: SeededGenerator(seed: seed)))
    }

    public var rules: [FaultRule] { state.withLock { $0.rules } }

    @discardableResult
    public func add(_ rule: FaultRule) -> FaultRule {
        var rule = rule
        rule.id = rule.id ?? UUID()
        state.withLock { $0.rules.append(rule) }
        return rule
    }

    public func remove(id: UUID) -> Bool {
        state.withLock { state in
            let before = state.rules.count
            state.rules.removeAll { $0.id == id }
            return state.rules.count < before
        }
    }

    public func clear() {
        state.withLock { $0.rules = [] }
    }

    /// The rule that fires for this call, if any (and counts it).
    func fire(method: String, path: String) -> FaultRule? {
        fire { !$0.fault.isOutgoing && $0.matches(method: method, path: path) }
    }

    /// The rule of this kind that fires for a delivery to `url`, if any (and counts it).
    func fireOutgoing(_ kind: FaultRule.Kind, url: String) -> FaultRule? {
        let path = URL(string: url)?.path ?? url
        return fire { $0.fault == kind && $0.matches(method: "POST", path: path.isEmpty ? "/" : path) }
    }

    private func fire(where matches: (FaultRule) -> Bool) -> FaultRule? {
        state.withLock { state in
            for index in state.rules.indices where matches(state.rules[index]) {
                let rule = state.rules[index]
                if let probability = rule.probability, Double.random(in: 0..<1, using: &state.random) >= probability { continue }
                if let times = rule.times {
                    if times <= 1 { state.rules.remove(at: index) } else { state.rules[index].times = times - 1 }
                }
                return rule
            }
            return nil
        }
    }
}
