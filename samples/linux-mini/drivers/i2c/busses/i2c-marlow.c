// SPDX-License-Identifier: GPL-2.0-only
/*
 * Marlow Microsystems MX-I2C PCI host controller driver
 *
 * The controller is a plain byte-oriented master with a 16 byte FIFO per
 * direction and one interrupt for completion and error conditions.
 */
#include <linux/completion.h>
#include <linux/i2c.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_MARLOW		0x1e7c
#define PCI_DEVICE_ID_MARLOW_MXI2C	0x0210

#define MARLOW_I2C_CTRL			0x00
#define MARLOW_I2C_STATUS		0x04
#define MARLOW_I2C_IRQ_MASK		0x08
#define MARLOW_I2C_STATUS_DONE		BIT(0)
#define MARLOW_I2C_STATUS_NAK		BIT(1)

struct marlow_i2c {
	struct i2c_adapter adap;
	void __iomem *base;
	struct completion done;
	u32 status;
};

static irqreturn_t marlow_i2c_irq(int irq, void *data)
{
	struct marlow_i2c *mi = data;
	u32 status = readl(mi->base + MARLOW_I2C_STATUS);

	if (!status)
		return IRQ_NONE;

	writel(status, mi->base + MARLOW_I2C_STATUS);
	mi->status = status;
	complete(&mi->done);

	return IRQ_HANDLED;
}

static int marlow_i2c_xfer(struct i2c_adapter *adap, struct i2c_msg *msgs, int num)
{
	struct marlow_i2c *mi = i2c_get_adapdata(adap);

	/* Transfer engine omitted from the sample */
	reinit_completion(&mi->done);

	return mi->status & MARLOW_I2C_STATUS_NAK ? -ENXIO : num;
}

static u32 marlow_i2c_func(struct i2c_adapter *adap)
{
	return I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL;
}

static const struct i2c_algorithm marlow_i2c_algo = {
	.xfer		= marlow_i2c_xfer,
	.functionality	= marlow_i2c_func,
};

static int marlow_i2c_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct marlow_i2c *mi;
	int ret;

	mi = devm_kzalloc(dev, sizeof(*mi), GFP_KERNEL);
	if (!mi)
		return -ENOMEM;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	mi->base = pcim_iomap_region(pdev, 0, "i2c-marlow");
	if (IS_ERR(mi->base))
		return PTR_ERR(mi->base);

	init_completion(&mi->done);

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (ret < 0)
		return ret;

	ret = devm_request_irq(dev, pci_irq_vector(pdev, 0), marlow_i2c_irq, IRQF_SHARED,
			       "i2c-marlow", mi);
	if (ret)
		return ret;

	writel(MARLOW_I2C_STATUS_DONE | MARLOW_I2C_STATUS_NAK, mi->base + MARLOW_I2C_IRQ_MASK);

	mi->adap.owner = THIS_MODULE;
	mi->adap.algo = &marlow_i2c_algo;
	mi->adap.dev.parent = dev;
	snprintf(mi->adap.name, sizeof(mi->adap.name), "Marlow MX-I2C at %s", pci_name(pdev));
	i2c_set_adapdata(&mi->adap, mi);

	return devm_i2c_add_adapter(dev, &mi->adap);
}

static const struct pci_device_id marlow_i2c_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_MARLOW, PCI_DEVICE_ID_MARLOW_MXI2C) },
	{ }
};
MODULE_DEVICE_TABLE(pci, marlow_i2c_ids);

static struct pci_driver marlow_i2c_pci_driver = {
	.name		= "i2c-marlow",
	.id_table	= marlow_i2c_ids,
	.probe		= marlow_i2c_probe,
};
module_pci_driver(marlow_i2c_pci_driver);

MODULE_DESCRIPTION("Marlow MX-I2C PCI host controller driver");
MODULE_AUTHOR("Petra Lindgaard <petra.lindgaard@example.org>");
MODULE_LICENSE("GPL");
