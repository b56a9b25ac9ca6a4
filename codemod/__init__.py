"""kcodemod: a codemod that produces Linux kernel patches.

The pipeline, one module per stage::

    discover  ->  kbuild  ->  engine (parse)  ->  match  ->  rewrite  ->  emit / series / verify
    (prefilter)   (modules)   (tree-sitter)      (classify)  (byte edits)  (report, diff, patches)

The knowledge specific to one API migration lives in ``codemod.recipes``.
"""
__version__ = "0.1.0"
