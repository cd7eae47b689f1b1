# The project's Airflow image: the official 3.3.2 image plus the pinned requirements (which install the
# `timelines_zoho` distribution from include/), instead of _PIP_ADDITIONAL_REQUIREMENTS at every start.
# Python 3.11 matches the interpreter the pins in requirements.txt were resolved and tested on.
FROM apache/airflow:3.3.2-python3.11

WORKDIR /opt/airflow
COPY --chown=airflow:0 requirements.txt /opt/airflow/requirements.txt
COPY --chown=airflow:0 include /opt/airflow/include
# `-e ./include` in requirements.txt is relative to the working directory, hence WORKDIR above.
RUN pip install --no-cache-dir -r /opt/airflow/requirements.txt

COPY --chown=airflow:0 docker/airflow-init.sh /opt/airflow/docker/airflow-init.sh
COPY --chown=airflow:0 docker/sandbox.py /opt/airflow/docker/sandbox.py
# Named volumes take their owner from the image, so these stay writable by the airflow user (group 0 too).
RUN mkdir -p /opt/airflow/auth /opt/airflow/sandbox-state && chmod g+rwx /opt/airflow/auth /opt/airflow/sandbox-state
