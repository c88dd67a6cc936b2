"""Inputs: params, readers, export presets, converters, schemas, channel rules, loaders, validation, notes and diary."""
