"""Getting secrets out at deploy time: environment variables, private files, exports.

`flatten` names values as environment variables, `source` opens sealed files,
`exec` runs a command with them, `export` writes them in other formats and
`publish` copies them to a central secret store.
"""
