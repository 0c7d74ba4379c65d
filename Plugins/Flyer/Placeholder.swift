// Replaced by Flyer.swift.
