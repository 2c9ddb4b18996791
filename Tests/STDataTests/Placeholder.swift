// Replaced by the first test file of this target.
