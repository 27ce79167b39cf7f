// The Services tests (reflection, metrics) live beside this file.
