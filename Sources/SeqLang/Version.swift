package enum SeqLangVersion { package static let string = "0.1.0" }
