// SPDX-License-Identifier: GPL-2.0
/*
 * PCI interrupt vector allocation API (kcodemod sample tree).
 *
 * A driver asks for between @min_vecs and @max_vecs vectors of the types
 * in @flags and gets back how many it received.  MSI-X is preferred over
 * MSI, and MSI over the INTx pin.
 */
#include <linux/export.h>
#include <linux/irq.h>
#include <linux/pci.h>

#include "msi.h"

/**
 * pci_alloc_irq_vectors_affinity() - allocate interrupt vectors for a device
 * @dev:	the PCI function
 * @min_vecs:	fewest vectors the driver can work with
 * @max_vecs:	most vectors the driver can use
 * @flags:	PCI_IRQ_* types to try, and PCI_IRQ_AFFINITY
 * @affd:	optional affinity spreading description
 *
 * Return: the number of vectors allocated, or a negative errno.
 */
int pci_alloc_irq_vectors_affinity(struct pci_dev *dev, unsigned int min_vecs,
				   unsigned int max_vecs, unsigned int flags,
				   struct irq_affinity *affd)
{
	int nvec = -ENOSPC;

	if (!(flags & PCI_IRQ_AFFINITY))
		affd = NULL;

	if (flags & PCI_IRQ_MSIX) {
		nvec = msix_setup_vectors(dev, min_vecs, max_vecs, affd);
		if (nvec > 0)
			return nvec;
	}

	if (flags & PCI_IRQ_MSI) {
		nvec = msi_setup_vectors(dev, min_vecs, max_vecs, affd);
		if (nvec > 0)
			return nvec;
	}

	/* The pin interrupt is a single vector shared with nobody we know of */
	if ((flags & PCI_IRQ_INTX) && min_vecs == 1 && dev->irq) {
		pci_intx(dev, 1);
		return 1;
	}

	return nvec;
}
EXPORT_SYMBOL(pci_alloc_irq_vectors_affinity);

/**
 * pci_alloc_irq_vectors() - allocate interrupt vectors without affinity hints
 * @dev:	the PCI function
 * @min_vecs:	fewest vectors the driver can work with
 * @max_vecs:	most vectors the driver can use
 * @flags:	PCI_IRQ_* types to try
 *
 * Return: the number of vectors allocated, or a negative errno.
 */
int pci_alloc_irq_vectors(struct pci_dev *dev, unsigned int min_vecs,
			  unsigned int max_vecs, unsigned int flags)
{
	return pci_alloc_irq_vectors_affinity(dev, min_vecs, max_vecs,
					      flags & ~PCI_IRQ_AFFINITY, NULL);
}
EXPORT_SYMBOL(pci_alloc_irq_vectors);

/**
 * pci_free_irq_vectors() - release the vectors of a device
 * @dev:	the PCI function
 *
 * Undoes pci_alloc_irq_vectors().  Safe to call when nothing is allocated.
 */
void pci_free_irq_vectors(struct pci_dev *dev)
{
	if (dev->msix_enabled)
		msix_teardown(dev);
	else if (dev->msi_enabled)
		msi_teardown(dev);
	else
		pci_intx(dev, 0);
}
EXPORT_SYMBOL(pci_free_irq_vectors);

/**
 * pci_irq_vector() - Linux interrupt number of a device vector
 * @dev:	the PCI function
 * @nr:		vector index, 0 based
 *
 * Return: the interrupt number, or -EINVAL if @nr is not allocated.
 */
int pci_irq_vector(struct pci_dev *dev, unsigned int nr)
{
	if (dev->msix_enabled || dev->msi_enabled)
		return msi_vector_irq(dev, nr);

	return nr ? -EINVAL : dev->irq;
}
EXPORT_SYMBOL(pci_irq_vector);
