/// Placeholder until the TLS handler lands (issue 3).
public enum TLSPlaceholder {}
