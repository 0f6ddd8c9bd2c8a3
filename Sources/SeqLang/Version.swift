public enum SeqLangVersion { public static let string = "0.1.0" }
