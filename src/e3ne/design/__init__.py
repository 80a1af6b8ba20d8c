"""One network's hardware design: its folds (``folding``), the chain of core instances
the layer kinds bind (``chain``, read by the generator and both cost models), and the
writer of ``DIR/rtl`` (``generate``). The cores themselves are ``e3ne.hw``."""
