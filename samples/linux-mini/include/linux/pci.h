/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reduced PCI driver interface for the kcodemod sample tree.
 *
 * Only what the sample drivers use is declared here: device enabling,
 * the interrupt vector allocator and the driver registration glue.
 */
#ifndef LINUX_PCI_H
#define LINUX_PCI_H

#include <linux/device.h>
#include <linux/errno.h>
#include <linux/interrupt.h>
#include <linux/mod_devicetable.h>
#include <linux/types.h>

/* Interrupt types accepted by pci_alloc_irq_vectors() */
#define PCI_IRQ_INTX		BIT(0)	/* Legacy INTx pin interrupt */
#define PCI_IRQ_MSI		BIT(1)	/* Message Signaled Interrupts */
#define PCI_IRQ_MSIX		BIT(2)	/* Extended MSI with a vector table */
#define PCI_IRQ_AFFINITY	BIT(3)	/* Spread vectors over the CPUs */
#define PCI_IRQ_ALL_TYPES	(PCI_IRQ_INTX | PCI_IRQ_MSI | PCI_IRQ_MSIX)

#define PCI_ANY_ID		(~0)

#define PCI_DEVICE(vend, dev)						\
	.vendor = (vend), .device = (dev),				\
	.subvendor = PCI_ANY_ID, .subdevice = PCI_ANY_ID

struct irq_affinity;

struct pci_dev {
	struct device	dev;
	unsigned short	vendor;
	unsigned short	device;
	unsigned int	irq;		/* INTx line, or first vector */
	unsigned int	msi_enabled:1;
	unsigned int	msix_enabled:1;
};

#define to_pci_dev(n) container_of(n, struct pci_dev, dev)

typedef unsigned int pci_ers_result_t;

#define PCI_ERS_RESULT_CAN_RECOVER	((pci_ers_result_t)2)
#define PCI_ERS_RESULT_NEED_RESET	((pci_ers_result_t)3)
#define PCI_ERS_RESULT_DISCONNECT	((pci_ers_result_t)4)
#define PCI_ERS_RESULT_RECOVERED	((pci_ers_result_t)5)

typedef unsigned int pci_channel_state_t;

#define pci_channel_io_normal		((pci_channel_state_t)1)
#define pci_channel_io_frozen		((pci_channel_state_t)2)
#define pci_channel_io_perm_failure	((pci_channel_state_t)3)

struct pci_error_handlers {
	pci_ers_result_t (*error_detected)(struct pci_dev *dev, pci_channel_state_t state);
	pci_ers_result_t (*slot_reset)(struct pci_dev *dev);
	void (*resume)(struct pci_dev *dev);
};

struct pci_driver {
	const char			*name;
	const struct pci_device_id	*id_table;
	int  (*probe)(struct pci_dev *dev, const struct pci_device_id *id);
	void (*remove)(struct pci_dev *dev);
	void (*shutdown)(struct pci_dev *dev);
	const struct pci_error_handlers	*err_handler;
	struct device_driver		driver;
};

static inline void *pci_get_drvdata(struct pci_dev *pdev)
{
	return dev_get_drvdata(&pdev->dev);
}

static inline void pci_set_drvdata(struct pci_dev *pdev, void *data)
{
	dev_set_drvdata(&pdev->dev, data);
}

static inline const char *pci_name(const struct pci_dev *pdev)
{
	return dev_name(&pdev->dev);
}

#ifdef CONFIG_PCI

int pci_enable_device(struct pci_dev *dev);
int pcim_enable_device(struct pci_dev *pdev);
void pci_disable_device(struct pci_dev *dev);
void pci_set_master(struct pci_dev *dev);
int pci_request_regions(struct pci_dev *pdev, const char *name);
void pci_release_regions(struct pci_dev *pdev);
void __iomem *pci_iomap(struct pci_dev *dev, int bar, unsigned long max);
void pci_iounmap(struct pci_dev *dev, void __iomem *addr);
void __iomem *pcim_iomap_region(struct pci_dev *pdev, int bar, const char *name);

int pci_alloc_irq_vectors(struct pci_dev *dev, unsigned int min_vecs,
			  unsigned int max_vecs, unsigned int flags);
int pci_alloc_irq_vectors_affinity(struct pci_dev *dev, unsigned int min_vecs,
				   unsigned int max_vecs, unsigned int flags,
				   struct irq_affinity *affd);
void pci_free_irq_vectors(struct pci_dev *dev);
int pci_irq_vector(struct pci_dev *dev, unsigned int nr);

int __must_check __pci_register_driver(struct pci_driver *drv, struct module *owner,
				       const char *mod_name);
void pci_unregister_driver(struct pci_driver *drv);

#else /* !CONFIG_PCI */

static inline int pci_enable_device(struct pci_dev *dev) { return -EIO; }
static inline int pcim_enable_device(struct pci_dev *pdev) { return -EIO; }
static inline void pci_disable_device(struct pci_dev *dev) { }
static inline void pci_set_master(struct pci_dev *dev) { }

static inline int pci_request_regions(struct pci_dev *pdev, const char *name)
{
	return -EIO;
}

static inline void pci_release_regions(struct pci_dev *pdev) { }

static inline void __iomem *pci_iomap(struct pci_dev *dev, int bar, unsigned long max)
{
	return NULL;
}

static inline void pci_iounmap(struct pci_dev *dev, void __iomem *addr) { }

static inline void __iomem *pcim_iomap_region(struct pci_dev *pdev, int bar,
					      const char *name)
{
	return IOMEM_ERR_PTR(-EIO);
}

static inline int
pci_alloc_irq_vectors_affinity(struct pci_dev *dev, unsigned int min_vecs,
			       unsigned int max_vecs, unsigned int flags,
			       struct irq_affinity *affd)
{
	return -ENOSPC;
}

static inline int pci_alloc_irq_vectors(struct pci_dev *dev, unsigned int min_vecs,
					unsigned int max_vecs, unsigned int flags)
{
	return pci_alloc_irq_vectors_affinity(dev, min_vecs, max_vecs, flags, NULL);
}

static inline void pci_free_irq_vectors(struct pci_dev *dev) { }

static inline int pci_irq_vector(struct pci_dev *dev, unsigned int nr)
{
	return -EINVAL;
}

static inline int __pci_register_driver(struct pci_driver *drv, struct module *owner,
					const char *mod_name)
{
	return 0;
}

static inline void pci_unregister_driver(struct pci_driver *drv) { }

#endif /* CONFIG_PCI */

/*
 * Managed region requests.  pcim_iomap_regions() and pcim_iomap_table() are
 * deprecated: map each BAR with pcim_iomap_region() instead.
 */
#ifdef CONFIG_PCI
int pcim_request_region(struct pci_dev *pdev, int bar, const char *name);
int pcim_iomap_regions(struct pci_dev *pdev, int mask, const char *name);
void __iomem * const *pcim_iomap_table(struct pci_dev *pdev);
void pcim_pin_device(struct pci_dev *pdev);
#else
static inline int pcim_request_region(struct pci_dev *pdev, int bar, const char *name)
{
	return -EIO;
}

static inline int pcim_iomap_regions(struct pci_dev *pdev, int mask, const char *name)
{
	return -EIO;
}

static inline void __iomem * const *pcim_iomap_table(struct pci_dev *pdev)
{
	return NULL;
}

static inline void pcim_pin_device(struct pci_dev *pdev) { }
#endif

#define pci_register_driver(driver)		\
	__pci_register_driver(driver, THIS_MODULE, KBUILD_MODNAME)

/*
 * module_pci_driver() - boilerplate for a module that only registers a
 * PCI driver in its init and unregisters it in its exit.
 */
#define module_pci_driver(__pci_driver) \
	module_driver(__pci_driver, pci_register_driver, pci_unregister_driver)

#endif /* LINUX_PCI_H */
