/// Placeholder until ops/gen-proto has generated the messages (issue 3).
public enum RPCMessagesPlaceholder {}
