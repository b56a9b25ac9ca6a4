"""The API patch: add pcim_alloc_irq_vectors[_affinity]() to a tree that lacks them.

:func:`api_changes` returns ``relpath -> (old, new)`` for
``include/linux/pci.h`` and ``drivers/pci/msi/api.c``.  Every insertion is
anchored on the text of a neighbouring declaration, found by a regular
expression; nothing outside the inserted blocks changes by a single byte.
When an anchor is missing or ambiguous :class:`ApiAnchorError` says which one,
and nothing is guessed.

Where the declarations go in ``pci.h``:

* next to the out-of-line prototype of ``pci_alloc_irq_vectors_affinity()``
  (the ``CONFIG_PCI_MSI=y`` branch): two prototypes;
* after every ``static inline`` stub of ``pci_alloc_irq_vectors()`` (the
  ``CONFIG_PCI_MSI=n`` branch and the ``CONFIG_PCI=n`` branch of the real
  header; the sample tree has only the latter): static inline stubs that
  forward to the ``pci_alloc_irq_vectors_affinity()`` stub of the same branch.
  Without MSI support ``pci_free_irq_vectors()`` is an empty stub, so there is
  nothing for devres to release and the stubs register nothing.

The implementation (in ``api.c``, after ``pci_alloc_irq_vectors_affinity()``)
behaves like ``pci_alloc_irq_vectors_affinity()`` on a device that
``pcim_enable_device()`` enabled: the MSI core already registers its own
release for such a device (``pcim_setup_msi_release()``), so no second one is
added.  On any other device it registers a devres action that calls
``pci_free_irq_vectors()``, with ``devm_add_action_or_reset()`` so that a
failure to register frees the vectors again.
"""
from __future__ import annotations

import re
from pathlib import Path

PCI_H = "include/linux/pci.h"
API_C = "drivers/pci/msi/api.c"

SUBJECT = "PCI/MSI: Add pcim_alloc_irq_vectors() and pcim_alloc_irq_vectors_affinity()"

PROTOTYPES = b"""\
int pcim_alloc_irq_vectors(struct pci_dev *dev, unsigned int min_vecs,
\t\t\t   unsigned int max_vecs, unsigned int flags);
int pcim_alloc_irq_vectors_affinity(struct pci_dev *dev, unsigned int min_vecs,
\t\t\t\t    unsigned int max_vecs, unsigned int flags,
\t\t\t\t    struct irq_affinity *affd);
"""

STUBS = b"""
static inline int
pcim_alloc_irq_vectors_affinity(struct pci_dev *dev, unsigned int min_vecs,
\t\t\t\tunsigned int max_vecs, unsigned int flags,
\t\t\t\tstruct irq_affinity *aff_desc)
{
\treturn pci_alloc_irq_vectors_affinity(dev, min_vecs, max_vecs,
\t\t\t\t\t      flags, aff_desc);
}

static inline int
pcim_alloc_irq_vectors(struct pci_dev *dev, unsigned int min_vecs,
\t\t       unsigned int max_vecs, unsigned int flags)
{
\treturn pci_alloc_irq_vectors_affinity(dev, min_vecs, max_vecs,
\t\t\t\t\t      flags, NULL);
}
"""

IMPLEMENTATION = b"""
static void pcim_irq_vectors_release(void *pdev)
{
\tpci_free_irq_vectors(pdev);
}

/**
 * pcim_alloc_irq_vectors_affinity() - Managed pci_alloc_irq_vectors_affinity()
 * @dev:      the PCI device to operate on
 * @min_vecs: minimum required number of vectors (must be >= 1)
 * @max_vecs: maximum desired number of vectors
 * @flags:    allocation flags, as in pci_alloc_irq_vectors()
 * @affd:     affinity requirements (can be %NULL)
 *
 * Same as pci_alloc_irq_vectors_affinity(), but the vectors are device
 * managed: they are freed automatically when the driver is detached from
 * @dev, and the driver must not call pci_free_irq_vectors() on them.
 *
 * The vectors of a device enabled with pcim_enable_device() are already
 * released by the MSI core on driver detach, so for such a device no further
 * release action is registered.
 *
 * Return: number of allocated vectors (which might be smaller than
 * @max_vecs), -ENOSPC if less than @min_vecs interrupt vectors are
 * available, other errnos otherwise, including a failure to register the
 * release action (the vectors are freed again in that case).
 */
int pcim_alloc_irq_vectors_affinity(struct pci_dev *dev, unsigned int min_vecs,
\t\t\t\t    unsigned int max_vecs, unsigned int flags,
\t\t\t\t    struct irq_affinity *affd)
{
\tint nvecs, ret;

\tnvecs = pci_alloc_irq_vectors_affinity(dev, min_vecs, max_vecs, flags, affd);
\tif (nvecs < 0 || pci_is_managed(dev))
\t\treturn nvecs;

\tret = devm_add_action_or_reset(&dev->dev, pcim_irq_vectors_release, dev);
\tif (ret)
\t\treturn ret;

\treturn nvecs;
}
EXPORT_SYMBOL(pcim_alloc_irq_vectors_affinity);

/**
 * pcim_alloc_irq_vectors() - Managed pci_alloc_irq_vectors()
 * @dev:      the PCI device to operate on
 * @min_vecs: minimum required number of vectors (must be >= 1)
 * @max_vecs: maximum desired number of vectors
 * @flags:    allocation flags, as in pci_alloc_irq_vectors()
 *
 * Same as pci_alloc_irq_vectors(), but the vectors are device managed, see
 * pcim_alloc_irq_vectors_affinity().
 *
 * Return: as pcim_alloc_irq_vectors_affinity().
 */
int pcim_alloc_irq_vectors(struct pci_dev *dev, unsigned int min_vecs,
\t\t\t   unsigned int max_vecs, unsigned int flags)
{
\treturn pcim_alloc_irq_vectors_affinity(dev, min_vecs, max_vecs,
\t\t\t\t\t       flags, NULL);
}
EXPORT_SYMBOL(pcim_alloc_irq_vectors);
"""

# ``int pci_alloc_irq_vectors_affinity(...);`` at the start of a line: the
# out-of-line prototype (a stub starts with ``static inline``).
_PROTO = re.compile(rb"^int pci_alloc_irq_vectors_affinity\([^;{]*\);[ \t]*\n", re.M)
# ``static inline int [\n]pci_alloc_irq_vectors(...)\n{ ... \n}\n``
_STUB = re.compile(rb"^static inline int\s+pci_alloc_irq_vectors\([^;{]*\)\s*\{.*?\n\}[ \t]*\n",
                   re.M | re.S)
_EXPORT = re.compile(rb"^EXPORT_SYMBOL(?:_GPL)?\(pci_alloc_irq_vectors_affinity\);[ \t]*\n", re.M)


class ApiAnchorError(Exception):
    """The file does not have the text the API patch is anchored on."""


def present(tree: Path) -> bool:
    """Does the tree's ``include/linux/pci.h`` already declare the managed API?"""
    try:
        return b"pcim_alloc_irq_vectors" in (Path(tree) / PCI_H).read_bytes()
    except OSError:
        return False


def _insert(data: bytes, at: list[int], block: bytes) -> bytes:
    out, pos = [], 0
    for i in sorted(at):
        out += [data[pos:i], block]
        pos = i
    out.append(data[pos:])
    return b"".join(out)


def patch_header(data: bytes, where: str = PCI_H) -> bytes:
    protos = list(_PROTO.finditer(data))
    if len(protos) != 1:
        raise ApiAnchorError(
            f"{where}: expected one 'int pci_alloc_irq_vectors_affinity(...);' prototype, "
            f"found {len(protos)}")
    stubs = list(_STUB.finditer(data))
    if not stubs:
        raise ApiAnchorError(f"{where}: no 'static inline int pci_alloc_irq_vectors()' stub "
                             "(needed for the !CONFIG_PCI / !CONFIG_PCI_MSI stubs)")
    new = _insert(data, [protos[0].end()], PROTOTYPES)
    # offsets after the prototype insertion shift by its length
    shift = len(PROTOTYPES)
    ends = [m.end() + (shift if m.start() > protos[0].start() else 0) for m in stubs]
    return _insert(new, ends, STUBS)


def patch_source(data: bytes, where: str = API_C) -> bytes:
    hits = list(_EXPORT.finditer(data))
    if len(hits) != 1:
        raise ApiAnchorError(
            f"{where}: expected one 'EXPORT_SYMBOL(pci_alloc_irq_vectors_affinity);', "
            f"found {len(hits)}")
    return _insert(data, [hits[0].end()], IMPLEMENTATION)


def api_changes(tree: Path) -> dict[str, tuple[bytes, bytes]]:
    """``relpath -> (old, new)`` adding the managed API to ``tree``."""
    tree = Path(tree)
    out = {}
    for rel, fn in ((PCI_H, patch_header), (API_C, patch_source)):
        try:
            old = (tree / rel).read_bytes()
        except OSError as e:
            raise ApiAnchorError(f"{rel}: cannot read: {e.strerror or e}") from None
        out[rel] = (old, fn(old, rel))
    return out
