// SPDX-License-Identifier: GPL-2.0
/* Fenwick FNX-10G Ethernet driver - interrupt setup */
#include <linux/interrupt.h>
#include <linux/io.h>

#include "fnx.h"

static irqreturn_t fnx_misc_irq(int irq, void *data)
{
	struct fnx_priv *priv = data;
	u32 cause = readl(priv->hw + FNX_REG_IRQ_CAUSE);

	if (!cause)
		return IRQ_NONE;

	writel(cause, priv->hw + FNX_REG_IRQ_CAUSE);
	if (cause & FNX_CTRL_RESET)
		netdev_warn(priv->netdev, "unexpected reset request\n");

	return IRQ_HANDLED;
}

static irqreturn_t fnx_queue_irq(int irq, void *data)
{
	struct fnx_q_vector *qv = data;

	napi_schedule_irqoff(&qv->napi);

	return IRQ_HANDLED;
}

/*
 * Vector 0 carries link and error events, every further vector serves one
 * Rx/Tx queue pair.  All interrupts are device managed.
 */
int fnx_irq_init(struct fnx_priv *priv)
{
	struct device *dev = &priv->pdev->dev;
	int nvec, i, ret;

	nvec = pci_alloc_irq_vectors(priv->pdev, FNX_MIN_VECS, FNX_MAX_VECS,
		PCI_IRQ_MSIX | PCI_IRQ_MSI);
	if (nvec < 0)
		return nvec;

	ret = devm_request_irq(dev, pci_irq_vector(priv->pdev, 0), fnx_misc_irq, 0,
			       FNX_DRV_NAME "-misc", priv);
	if (ret)
		return ret;

	priv->num_q_vectors = nvec - 1;
	for (i = 0; i < priv->num_q_vectors; i++) {
		struct fnx_q_vector *qv = &priv->q_vector[i];

		qv->priv = priv;
		qv->idx = i;
		snprintf(qv->name, sizeof(qv->name), "%s-q%d", pci_name(priv->pdev), i);

		ret = devm_request_irq(dev, pci_irq_vector(priv->pdev, i + 1), fnx_queue_irq, 0,
				       qv->name, qv);
		if (ret)
			return ret;
	}

	writel(~0U, priv->hw + FNX_REG_IRQ_MASK);

	return 0;
}
