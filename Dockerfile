# The project's Airflow image: the official 3.3.2 image plus the pinned requirements (which install the
# `timelines_zoho` distribution from include/), instead of _PIP_ADDITIONAL_REQUIREMENTS at every start.
# Python 3.11 matches the interpreter the pins in requirements.txt were resolved and tested on.
#
# Two targets: `product` (every Airflow service) carries only the product; `sandbox` adds the vendor emulators
# (include/sandbox) for compose's `sandbox` profile, so a production image never ships them.
FROM apache/airflow:3.3.2-python3.11 AS product

WORKDIR /opt/airflow
COPY --chown=airflow:0 requirements.txt /opt/airflow/requirements.txt
COPY --chown=airflow:0 include/pyproject.toml /opt/airflow/include/pyproject.toml
COPY --chown=airflow:0 include/timelines_zoho /opt/airflow/include/timelines_zoho
# `-e ./include` in requirements.txt is relative to the working directory, hence WORKDIR above.
RUN pip install --no-cache-dir -r /opt/airflow/requirements.txt

COPY --chown=airflow:0 docker/airflow-init.sh /opt/airflow/docker/airflow-init.sh
# Named volumes take their owner from the image, so these stay writable by the airflow user (group 0 too).
RUN mkdir -p /opt/airflow/auth /opt/airflow/sandbox-state && chmod g+rwx /opt/airflow/auth /opt/airflow/sandbox-state

FROM product AS sandbox
COPY --chown=airflow:0 include/sandbox /opt/airflow/include/sandbox
RUN pip install --no-cache-dir --no-deps -e /opt/airflow/include/sandbox
