"""Generator of the bundled sample company (see docs/sample-data.md); entry point: cmo_workbook.sample.generate."""
