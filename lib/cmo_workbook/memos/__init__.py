"""Memos: one composer module per notebook (named after it), the shared goals and stakeholder blocks, and open_workbook."""
