/* SPDX-License-Identifier: GPL-2.0 */
/* Internal helpers behind the PCI interrupt vector API (sample tree) */
#ifndef PCI_MSI_INTERNAL_H
#define PCI_MSI_INTERNAL_H

struct irq_affinity;
struct pci_dev;

int msix_setup_vectors(struct pci_dev *dev, unsigned int min_vecs, unsigned int max_vecs,
		       struct irq_affinity *affd);
int msi_setup_vectors(struct pci_dev *dev, unsigned int min_vecs, unsigned int max_vecs,
		      struct irq_affinity *affd);
void msix_teardown(struct pci_dev *dev);
void msi_teardown(struct pci_dev *dev);
int msi_vector_irq(struct pci_dev *dev, unsigned int nr);
void pci_intx(struct pci_dev *dev, int enable);

#endif /* PCI_MSI_INTERNAL_H */
