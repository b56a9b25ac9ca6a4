// SPDX-License-Identifier: GPL-2.0
/*
 * Brackley Instruments BI-8S multiport 16C950 PCI Express serial cards
 *
 * Every port has its own MSI-X vector when the platform can provide them,
 * otherwise all ports share one MSI or INTx interrupt.
 */
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/serial_8250.h>

#define PCI_VENDOR_ID_BRACKLEY		0x1b6e
#define PCI_DEVICE_ID_BRACKLEY_BI4S	0x0004
#define PCI_DEVICE_ID_BRACKLEY_BI8S	0x0008

#define BRACKLEY_MIN_VECS		1
#define BRACKLEY_MAX_PORTS		8
#define BRACKLEY_PORT_STRIDE		0x200
#define BRACKLEY_UARTCLK		(62500000 / 8)

struct brackley_info {
	unsigned int num_ports;
};

struct brackley_board {
	const struct brackley_info *info;
	int nr_irq;
	int line[BRACKLEY_MAX_PORTS];
};

static const struct brackley_info brackley_bi4s = { .num_ports = 4 };
static const struct brackley_info brackley_bi8s = { .num_ports = 8 };

static int brackley_alloc_irqs(struct pci_dev *pdev, const struct brackley_info *info)
{
	int nr_irq;

	nr_irq = pci_alloc_irq_vectors(pdev, BRACKLEY_MIN_VECS,
				       info->num_ports,
				       PCI_IRQ_MSIX | PCI_IRQ_MSI);
	if (nr_irq > 0)
		return nr_irq;

	dev_dbg(&pdev->dev, "no MSI-X/MSI (%d), using INTx\n", nr_irq);

	if (pci_alloc_irq_vectors(pdev, BRACKLEY_MIN_VECS, BRACKLEY_MIN_VECS,
				  PCI_IRQ_INTX) < 0)
		return -ENODEV;

	return 1;
}

static int brackley_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	const struct brackley_info *info = (const void *)ent->driver_data;
	struct uart_8250_port uart = { };
	struct brackley_board *bb;
	void __iomem *base;
	unsigned int i;
	int nr_irq, ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	base = pcim_iomap_region(pdev, 0, "8250_brackley");
	if (IS_ERR(base))
		return PTR_ERR(base);

	nr_irq = brackley_alloc_irqs(pdev, info);
	if (nr_irq < 0)
		return nr_irq;

	bb = devm_kzalloc(&pdev->dev, sizeof(*bb), GFP_KERNEL);
	if (!bb)
		return -ENOMEM;

	bb->info = info;
	bb->nr_irq = nr_irq;

	uart.port.dev = &pdev->dev;
	uart.port.type = PORT_16C950;
	uart.port.iotype = UPIO_MEM;
	uart.port.uartclk = BRACKLEY_UARTCLK;
	uart.port.flags = UPF_FIXED_TYPE | UPF_FIXED_PORT | UPF_SHARE_IRQ;

	for (i = 0; i < info->num_ports; i++) {
		uart.port.membase = base + i * BRACKLEY_PORT_STRIDE;
		uart.port.irq = pci_irq_vector(pdev, nr_irq > 1 ? i : 0);

		bb->line[i] = serial8250_register_8250_port(&uart);
		if (bb->line[i] < 0)
			dev_warn(&pdev->dev, "port %u not registered: %d\n", i, bb->line[i]);
	}

	pci_set_drvdata(pdev, bb);

	return 0;
}

static void brackley_remove(struct pci_dev *pdev)
{
	struct brackley_board *bb = pci_get_drvdata(pdev);
	unsigned int i;

	for (i = 0; i < bb->info->num_ports; i++)
		if (bb->line[i] >= 0)
			serial8250_unregister_port(bb->line[i]);
}

static const struct pci_device_id brackley_pci_tbl[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_BRACKLEY, PCI_DEVICE_ID_BRACKLEY_BI4S),
	  .driver_data = (kernel_ulong_t)&brackley_bi4s },
	{ PCI_DEVICE(PCI_VENDOR_ID_BRACKLEY, PCI_DEVICE_ID_BRACKLEY_BI8S),
	  .driver_data = (kernel_ulong_t)&brackley_bi8s },
	{ }
};
MODULE_DEVICE_TABLE(pci, brackley_pci_tbl);

static struct pci_driver brackley_pci_driver = {
	.name		= "8250_brackley",
	.id_table	= brackley_pci_tbl,
	.probe		= brackley_probe,
	.remove		= brackley_remove,
};
module_pci_driver(brackley_pci_driver);

MODULE_DESCRIPTION("Brackley BI-8S multiport serial driver");
MODULE_AUTHOR("Callum Threlfall <callum.threlfall@example.org>");
MODULE_LICENSE("GPL");
