"""Reviewing changes to sealed files without a key: `sealer diff` and the keyless textconv.

sealer keeps the ciphertext of every unchanged value (DESIGN decision 2), so two
sealed versions of a file already say which values changed, which recipients
came and went and whether the data key was replaced, to anyone who can read
the repository.
"""
