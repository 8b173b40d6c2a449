"""An example mltrail plugin: one tracking store, one artifact repository, one run context."""
