"""sealer's secret scanner: finds hard-coded credentials before they reach git.

The pipeline is the one every established scanner uses, shaped for Python: a
keyword prefilter over the lower-cased bytes, each rule's regex applied only to
the lines where one of its keywords occurs, an entropy gate and placeholder
filters on the captured secret, then inline allow markers and the ignore file.
Nothing here opens a network connection, and no full secret is ever printed.
"""
