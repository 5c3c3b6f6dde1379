"""Which running containers an in-place kubelet upgrade restarts, and why (:func:`predict`)."""

from kubehash.upgrade.predict.manifests import predict_manifests
from kubehash.upgrade.predict.predictor import Predictor, predict
from kubehash.upgrade.predict.result import VERDICTS, ContainerPrediction, Prediction

__all__ = ["VERDICTS", "ContainerPrediction", "Prediction", "Predictor", "predict", "predict_manifests"]
