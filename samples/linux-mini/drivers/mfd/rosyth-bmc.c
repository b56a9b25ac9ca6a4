// SPDX-License-Identifier: GPL-2.0
/*
 * Rosyth RM-3 board management controller
 *
 * The controller exposes a watchdog, a fan controller and a GPIO block
 * through one register window in BAR 1; BAR 0 is the firmware's.
 */
#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/io.h>
#include <linux/mfd/core.h>
#include <linux/module.h>
#include <linux/pci.h>

#define DRV_NAME			"rosyth-bmc"

#define PCI_VENDOR_ID_ROSYTH		0x1d19
#define PCI_DEVICE_ID_ROSYTH_RM3	0x0300

#define ROSYTH_REG_REVISION		0x00
#define ROSYTH_REG_IRQ_EN		0x04
#define ROSYTH_REV_MAJOR		GENMASK(15, 8)

struct rosyth_bmc {
	void __iomem *regs;
	u32 rev;
};

static const struct mfd_cell rosyth_cells[] = {
	{ .name = "rosyth-wdt" },
	{ .name = "rosyth-fan" },
	{ .name = "rosyth-gpio" },
};

static int rosyth_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct rosyth_bmc *bmc;
	void __iomem *base;
	u32 rev;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	if (pcim_iomap_regions(pdev, BIT(1), DRV_NAME)) {
		dev_err(&pdev->dev, "cannot map the register BAR\n");
		return -ENODEV;
	}

	base = pcim_iomap_table(pdev)[1];
	rev = readl(base + ROSYTH_REG_REVISION);
	if (FIELD_GET(ROSYTH_REV_MAJOR, rev) != 3)
		return dev_err_probe(&pdev->dev, -ENODEV, "unsupported revision %#x\n", rev);

	bmc = devm_kzalloc(&pdev->dev, sizeof(*bmc), GFP_KERNEL);
	if (!bmc)
		return -ENOMEM;

	bmc->regs = base;
	bmc->rev = rev;
	pci_set_drvdata(pdev, bmc);

	return devm_mfd_add_devices(&pdev->dev, PLATFORM_DEVID_AUTO, rosyth_cells,
				    ARRAY_SIZE(rosyth_cells), NULL, 0, NULL);
}

static void rosyth_remove(struct pci_dev *pdev)
{
	struct rosyth_bmc *bmc = pci_get_drvdata(pdev);

	writel(0, bmc->regs + ROSYTH_REG_IRQ_EN);
}

static const struct pci_device_id rosyth_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_ROSYTH, PCI_DEVICE_ID_ROSYTH_RM3) },
	{ }
};
MODULE_DEVICE_TABLE(pci, rosyth_pci_ids);

static struct pci_driver rosyth_pci_driver = {
	.name		= DRV_NAME,
	.id_table	= rosyth_pci_ids,
	.probe		= rosyth_probe,
	.remove		= rosyth_remove,
};
module_pci_driver(rosyth_pci_driver);

MODULE_DESCRIPTION("Rosyth RM-3 board management controller driver");
MODULE_AUTHOR("Duncan Ferrier <duncan.ferrier@example.org>");
MODULE_LICENSE("GPL");
