"""Python environments built for projects and models: python_env specs, uv/virtualenv
environments cached by a hash of their spec, conda environments, and the wheel that installs
this very mltrail into them.

This package sits low in the layers (it imports only `mltrail.errors`), so projects, serving
and `pyfunc.spark_udf` can all share it.
"""
