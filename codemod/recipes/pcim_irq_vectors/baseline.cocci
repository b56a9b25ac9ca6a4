// SPDX-License-Identifier: GPL-2.0-only
/// Use pcim_alloc_irq_vectors[_affinity]() in drivers enabled with pcim_enable_device().
///
/// pci_alloc_irq_vectors() is silently device-managed when the device was
/// enabled with pcim_enable_device().  The explicit pcim_ twins take the same
/// arguments and return the same value; with them, the pci_free_irq_vectors()
/// calls of probe error paths and .remove() become redundant.
///
/// This is the Coccinelle baseline kcodemod is compared with (make bench).
/// It is deliberately what a kernel developer would write in a few minutes,
/// and it is per file, so it differs from kcodemod in known ways:
///
///  - "managed" means "this .c file calls pcim_enable_device() somewhere".
///    A driver whose pcim_enable_device() sits in another file of the same
///    module is missed; a file holding two drivers, one managed and one not,
///    has both converted.
///  - with -D remove_frees, every pci_free_irq_vectors(E); statement of such
///    a file is deleted.  That is prone to false positives: a free followed
///    by a re-allocation (fallback from MSI-X to MSI, resume, reset
///    handlers), or a free in a function that a non-managed path also
///    reaches, must stay.  Labels and gotos left empty are not cleaned up.
///    kcodemod follows the call graph and skips, with a reason, what it
///    cannot prove.
///
/// Usage (the flags make coccicheck passes, plus --no-includes: the rule
/// needs no type information):
///   spatch -D patch [-D remove_frees] --sp-file cocci/pcim_irq_vectors.cocci \
///          --dir TREE --jobs 2 --chunksize 1 --very-quiet --no-includes
/// or from a kernel tree:
///   make coccicheck MODE=patch COCCI=.../pcim_irq_vectors.cocci
/// The tree's .cocciconfig adds --use-gitgrep and --timeout 200.
///
// Confidence: High for the rename, Low for remove_frees
// Keywords: pcim_enable_device, pci_alloc_irq_vectors, pci_free_irq_vectors
// Options: --no-includes

virtual patch
virtual report
virtual remove_frees

// The file enables its device with the managed helper.
@managed@
expression dev;
@@
pcim_enable_device(dev)

// ---------------------------------------------------------------- patch mode

@rename depends on patch && managed@
@@
(
- pci_alloc_irq_vectors
+ pcim_alloc_irq_vectors
  (...)
|
- pci_alloc_irq_vectors_affinity
+ pcim_alloc_irq_vectors_affinity
  (...)
)

@frees depends on patch && remove_frees && managed@
expression dev;
@@
- pci_free_irq_vectors(dev);

// --------------------------------------------------------------- report mode

@alloc depends on report && managed@
position p;
@@
\(pci_alloc_irq_vectors@p\|pci_alloc_irq_vectors_affinity@p\)(...)

@script:python depends on report@
p << alloc.p;
@@
coccilib.report.print_report(p[0],
    "pcim_enable_device() makes this implicitly managed: use the pcim_ variant")
