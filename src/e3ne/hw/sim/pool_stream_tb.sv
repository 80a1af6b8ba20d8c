/******************************************************************************
 * @brief   Self-checking bench for pool_stream, driven by hex files.
 * @author  e3ne
 *
 * @description
 *  STIM_FILE holds N_IN input beats (CH*T bits each, one hex word a line):
 *  feature maps in raster order, images back to back, written by
 *  tests/hw/test_pool_stream.py. EXP_FILE holds the N_OUT expected output
 *  beats, computed there with numpy from the DESIGN.md §2 formulas.
 *  stream_source sends the stimuli with random gaps (IGAP % of cycles idle);
 *  stream_sink holds the output back at random (ordy low OSTALL % of
 *  cycles), compares every output beat in order (naming it by pixel and
 *  channel group), checks the output handshake (rules 2 and 3 of
 *  src/e3ne/hw/README.md, X) and flags spurious beats after the last one.
 *
 *  RGAP > 1 models a consumer that takes a beat only every RGAP cycles:
 *  the DUT sees ordy only from RGAP cycles after the previous output
 *  transfer on (use with OSTALL = 0; the sink then sees ovld while ordy is
 *  allowed, so both count the same transfers).
 *
 *  LOG = 1 writes LOG_FILE, one line per event, cycles as bench_ctl counts
 *  them:  "A <cycle>" the first edge an input beat is offered, "I <cycle>"
 *  an input transfer, "V <cycle>" the first edge an output beat is valid,
 *  "O <cycle>" an output transfer. The test compares these with the cycle
 *  recurrence of the pool_stream.sv header.
 *
 *  The input rows and columns no window covers are taken after the last
 *  output beat, so the bench drains DRAIN cycles (enough for them at IGAP)
 *  after it before it checks that all inputs went in.
 *
 *  Reports as bench_ctl: CYCLES/LATENCY lines, then PASS or FAIL. STANDALONE
 *  = 1 ends with $finish; with STANDALONE = 0 a wrapper reads Done/Ok.
 *****************************************************************************/

module pool_stream_tb #(
	parameter int T          = 4,    // DUT: bits per activation
	parameter int C          = 4,    // DUT: channels
	parameter int CH         = 2,    // DUT: channels per beat
	parameter int K          = 2,    // DUT: kernel size = stride
	parameter int H          = 4,    // DUT: input height
	parameter int WD         = 4,    // DUT: input width
	parameter int MODE       = 0,    // DUT: 0 max, 1 avg
	parameter int N_IN       = 8,    // input beats in STIM_FILE
	parameter int N_OUT      = 8,    // output beats in EXP_FILE
	parameter     STIM_FILE  = "stim.hex",
	parameter     EXP_FILE   = "exp.hex",
	parameter int IGAP       = 30,   // % of cycles the source idles
	parameter int OSTALL     = 30,   // % of cycles the sink holds ordy low
	parameter int RGAP       = 1,    // > 1: the consumer takes a beat every RGAP cycles
	parameter int LOG        = 0,    // 1: write the transfer cycles to LOG_FILE
	parameter     LOG_FILE   = "cycles.log",
	parameter int SEED       = 1,    // $urandom seed
	parameter int STANDALONE = 1,    // 1: $finish here; 0: a wrapper finishes
	parameter     NAME = "pool_stream_tb"  // tag in the messages
);

	localparam int DW = CH * T;
	// input beats after an image's last tap (rows/columns no window covers): they
	// are taken after the last output beat, so the bench drains long enough for them
	localparam int KP = K > 0 ? K : 1;
	localparam int TAIL = (H*WD - (H/KP*KP - 1)*WD - WD/KP*KP) * (CH > 0 ? C/CH : 1);
	localparam int DRAIN = 20 + 4 * TAIL * 100 / (IGAP < 100 ? 100 - IGAP : 1);

	logic  clk, rst, irdy, ivld, ordy, ovld, Done, Ok;
	logic  snk_rdy, snk_vld, gate;
	logic [DW-1:0]  idat, odat;
	int  cycle, sent, recv;

	pool_stream #(.T(T), .C(C), .CH(CH), .K(K), .H(H), .WD(WD), .MODE(MODE)) dut (
		.clk, .rst,
		.irdy, .ivld, .idat,
		.ordy, .ovld, .odat
	);

	// the RGAP consumer: ready again RGAP cycles after its last transfer
	int  LastX = -1000000;
	assign	gate = (RGAP <= 1) || (cycle >= LastX + RGAP);
	assign	ordy = snk_rdy && gate;
	assign	snk_vld = ovld && gate;
	always @(posedge clk) begin
		if (!rst && ovld && ordy)  LastX <= cycle;
	end

	// a group is a pixel: C/CH beats
	stream_bench #(.IW(DW), .OW(DW), .N_IN(N_IN), .N_OUT(N_OUT), .STIM_FILE(STIM_FILE),
		.EXP_FILE(EXP_FILE), .GAP(IGAP), .STALL(OSTALL), .GROUP(C / CH), .SEED(SEED),
		.DRAIN(DRAIN), .LIMIT(100 * (N_IN + N_OUT) + 1000), .STANDALONE(STANDALONE), .NAME(NAME)) tb (
		.clk, .rst, .cycle, .irdy, .ivld, .idat, .ordy(snk_rdy), .ovld(snk_vld), .odat,
		.avail(N_OUT), .errors(0), .sent, .recv, .done(Done), .ok(Ok)
	);

	// transfer log
	int  fd = 0;
	logic  IPend = 0;  // an input beat was offered and not taken at the previous edge
	logic  Pend = 0;   // an output beat was valid and not taken at the previous edge
	initial begin
		$display("%s: T=%0d C=%0d CH=%0d K=%0d H=%0d WD=%0d MODE=%0d RGAP=%0d, %0d beats in, %0d out",
			NAME, T, C, CH, K, H, WD, MODE, RGAP, N_IN, N_OUT);
		if (LOG != 0)  fd = $fopen(LOG_FILE, "w");
	end
	always @(posedge clk) begin
		if (!rst && fd != 0) begin
			if (ivld && !IPend)  $fdisplay(fd, "A %0d", cycle);
			if (ivld && irdy)  $fdisplay(fd, "I %0d", cycle);
			if (ovld && !Pend)  $fdisplay(fd, "V %0d", cycle);
			if (ovld && ordy)  $fdisplay(fd, "O %0d", cycle);
		end
		IPend <= !rst && ivld && !irdy;
		Pend <= !rst && ovld && !ordy;
	end
	final begin
		if (fd != 0)  $fclose(fd);
	end

endmodule : pool_stream_tb
