"""The offline audit site's templates, stylesheet, filter script and SVG charts (see juesuan.report)."""
